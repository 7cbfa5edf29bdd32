import { describe, expect, it } from "vitest";
import { seedPriceRows } from "../pricing/seed-prices";
import { PaneConfig } from "./config-schema";
import { estimateWorstCase } from "./cost-estimate";

const prices = seedPriceRows().map((r) => ({ ...r, effectiveFrom: new Date(r.effectiveFrom) }));

describe("estimateWorstCase", () => {
  it("is N x (max_tokens x output price + estimated input x input price), exactly, per priced pane", () => {
    const panes = [PaneConfig.parse({ name: "A", model: "claude-haiku-4-5", maxTokens: 1000 }), PaneConfig.parse({ name: "B", model: "claude-sonnet-4-6", maxTokens: 500 })];
    // 400 characters of prompt: 100 input tokens.
    const e = estimateWorstCase({ prompt: "x".repeat(400), history: [], panes }, 10, prices);
    // haiku-4-5: $1 / $5 per MTok = 1000 / 5000 nano per token; sonnet-4-6: 3000 / 15000.
    const haiku = 100n * 1000n + 1000n * 5000n;
    const sonnet = 100n * 3000n + 500n * 15000n;
    expect(e.worstCaseNanoUsd).toBe((haiku + sonnet) * 10n);
    expect(e.unpriced).toEqual([]);
  });

  it("names a pane whose model has no price, and leaves it out", () => {
    const panes = [PaneConfig.parse({ name: "A", model: "gpt-imaginary", maxTokens: 10 }), PaneConfig.parse({ name: "B", model: "claude-haiku-4-5", maxTokens: 10 })];
    const e = estimateWorstCase({ prompt: "hi", history: [], panes }, 2, prices);
    expect(e.unpriced).toEqual(["A"]);
    expect(e.worstCaseNanoUsd).toBeGreaterThan(0n);
  });
});
