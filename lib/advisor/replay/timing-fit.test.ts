import { describe, expect, it } from "vitest";
import { profileTiming, fitTimings, ttftOf } from "./timing-fit";
import { llmRow, trafficOf } from "../testing/traffic-rows";
import type { LlmRow } from "../traffic-builder";

/**
 * A model whose calls are the table's profile slowed by `factor`, with `out(k)` output tokens and
 * prompts from 1K to 100K tokens, none streamed: the advisor sees only totals.
 */
function unstreamedCalls(model: string, factor: number, out: (k: number) => number): LlmRow[] {
  const p = profileTiming(model);
  return Array.from({ length: 60 }, (_, k) => {
    const input = 1000 + ((k * 37) % 60) * 1650;
    const outputTokens = out(k);
    const ttft = factor * (p.baseMs + (p.prefillMsPer1k * input) / 1000);
    return llmRow({ model, requestedModel: model, streamed: false, ttftMs: null, inputTokens: input, outputTokens, latencyMs: ttft + factor * p.msPerOutputToken * outputTokens });
  });
}

describe("fitTimings on calls that never stream", () => {
  it("takes the output speed from the table, scaled to the traffic, when every call asks for the same length", () => {
    // 400 output tokens on every call: base and speed trade off freely in a regression on totals.
    const timing = fitTimings(trafficOf(unstreamedCalls("claude-opus-4-6", 0.05, () => 400))).of("claude-opus-4-6");
    const p = profileTiming("claude-opus-4-6");
    expect(timing.speedSource).toBe("table");
    expect(timing.msPerOutputToken).toBeCloseTo(p.msPerOutputToken * 0.05, 6);
    // So the first token's wait comes out as the slowed table's, across the prompt range.
    for (const tokens of [1000, 50_000, 100_000]) expect(ttftOf(timing, tokens, 0)).toBeCloseTo(0.05 * ttftOf(p, tokens, 0), 3);
    // Nothing read the prompt cache: a read costs the table's, slowed as the prefill is.
    expect(timing.cacheReadSource).toBe("table");
    expect(timing.cacheReadMsPer1k).toBeCloseTo(0.05 * p.cacheReadMsPer1k, 6);
  });

  it("fits the output speed from the totals when the output length varies apart from the prompt", () => {
    const timing = fitTimings(trafficOf(unstreamedCalls("claude-sonnet-4-6", 2, (k) => 40 + ((k * 11) % 7) * 150))).of("claude-sonnet-4-6");
    const p = profileTiming("claude-sonnet-4-6");
    expect(timing.speedSource).toBe("fit");
    expect(timing.msPerOutputToken).toBeCloseTo(2 * p.msPerOutputToken, 3);
    expect(timing.baseMs).toBeCloseTo(2 * p.baseMs, 1);
    expect(timing.prefillMsPer1k).toBeCloseTo(2 * p.prefillMsPer1k, 3);
  });
});
