import { describe, expect, it } from "vitest";
import { costNanoUsd, PriceBook, type PriceRow } from "./compute-cost";
import { modelFamily } from "./model-family";
import { seedPriceRows, usdPerMillionToNanoPerToken } from "./seed-prices";

const seedBook = new PriceBook(seedPriceRows());
const now = new Date("2026-11-01T00:00:00Z");
const usage = (u: Partial<Parameters<typeof costNanoUsd>[1]>) => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  ...u,
});

describe("modelFamily", () => {
  it.each([
    ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5"],
    ["claude-haiku-4-5-20251001", "claude-haiku-4-5"],
    ["claude-3-5-haiku-20241022", "claude-3-5-haiku"],
    ["claude-opus-4-1-latest", "claude-opus-4-1"],
    ["claude-sonnet-4-5@20250929", "claude-sonnet-4-5"],
    ["anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5"],
    ["claude-opus-5", "claude-opus-5"],
  ])("%s prices as %s", (id, family) => {
    expect(modelFamily(id)).toBe(family);
  });
});

describe("cost with Anthropic cache accounting", () => {
  it("charges every token kind at its own rate (input excludes cached tokens)", () => {
    const price = seedBook.find("claude-haiku-4-5-20251001", now, 10_000)!;
    // haiku-4-5: 1 / 1.25 / 2 / 0.10 / 5 USD per MTok
    const cost = costNanoUsd(price, usage({ inputTokens: 1000, cacheWrite5mTokens: 2000, cacheWrite1hTokens: 3000, cacheReadTokens: 4000, outputTokens: 500 }));
    expect(cost).toBe(1000n * 1000n + 2000n * 1250n + 3000n * 2000n + 4000n * 100n + 500n * 5000n);
  });

  it("uses the long-context tier when the whole prompt (input + cache) passes 200K", () => {
    const small = seedBook.find("claude-sonnet-4-5", now, 200_000)!;
    const large = seedBook.find("claude-sonnet-4-5", now, 200_001)!;
    expect(small.inputNano).toBe(3000);
    expect(large.inputNano).toBe(6000);
    expect(large.outputNano).toBe(22_500);
  });

  it("prices haiku-5-5 by its 100K tier for the whole request", () => {
    expect(seedBook.find("claude-haiku-5-5", now, 100_000)!.inputNano).toBe(100);
    expect(seedBook.find("claude-haiku-5-5", now, 100_001)!.inputNano).toBe(500);
  });

  it("keeps fractional per-million rates exact as integers", () => {
    expect(usdPerMillionToNanoPerToken(0.125)).toBe(125);
    expect(usdPerMillionToNanoPerToken(0.08)).toBe(80);
    expect(usdPerMillionToNanoPerToken(22.5)).toBe(22_500);
  });

  it("returns nothing for an unknown model", () => {
    expect(seedBook.find("gpt-4o", now, 10)).toBeUndefined();
  });

  it("applies the newest price in force at the event's time", () => {
    const rows: PriceRow[] = [
      { model: "m", effectiveFrom: new Date("2025-01-01Z"), minPromptTokens: 0, inputNano: 1, cacheWrite5mNano: 1, cacheWrite1hNano: 1, cacheReadNano: 1, outputNano: 1 },
      { model: "m", effectiveFrom: new Date("2026-01-01Z"), minPromptTokens: 0, inputNano: 2, cacheWrite5mNano: 2, cacheWrite1hNano: 2, cacheReadNano: 2, outputNano: 2 },
    ];
    const book = new PriceBook(rows);
    expect(book.find("m", new Date("2025-06-01Z"), 0)!.inputNano).toBe(1);
    expect(book.find("m", new Date("2026-06-01Z"), 0)!.inputNano).toBe(2);
    expect(book.find("m", new Date("2024-06-01Z"), 0)).toBeUndefined();
  });

  it("a newer date that brings only a long-context row leaves shorter prompts on the older rate", () => {
    const rates = (n: number) => ({ inputNano: n, cacheWrite5mNano: n, cacheWrite1hNano: n, cacheReadNano: n, outputNano: n });
    const book = new PriceBook([
      { model: "m", effectiveFrom: new Date("2025-01-01Z"), minPromptTokens: 0, ...rates(3) },
      { model: "m", effectiveFrom: new Date("2026-01-01Z"), minPromptTokens: 200_001, ...rates(6) },
    ]);
    const later = new Date("2026-06-01Z");
    expect(book.find("m", later, 1_000)?.inputNano).toBe(3);
    expect(book.find("m", later, 300_000)?.inputNano).toBe(6);
    expect(book.find("m", new Date("2025-06-01Z"), 300_000)?.inputNano).toBe(3);
  });

  it("a newer base rate applies to every prompt size from its date", () => {
    const rates = (n: number) => ({ inputNano: n, cacheWrite5mNano: n, cacheWrite1hNano: n, cacheReadNano: n, outputNano: n });
    const book = new PriceBook([
      { model: "m", effectiveFrom: new Date("2025-01-01Z"), minPromptTokens: 0, ...rates(3) },
      { model: "m", effectiveFrom: new Date("2025-01-01Z"), minPromptTokens: 200_001, ...rates(6) },
      { model: "m", effectiveFrom: new Date("2026-01-01Z"), minPromptTokens: 0, ...rates(2) },
    ]);
    expect(book.find("m", new Date("2026-06-01Z"), 300_000)?.inputNano).toBe(2);
    expect(book.find("m", new Date("2025-06-01Z"), 300_000)?.inputNano).toBe(6);
  });

  it("sums of many costs never drift", () => {
    const price = seedBook.find("claude-3-5-haiku", now, 10)!;
    let total = 0n;
    for (let i = 0; i < 10_000; i++) total += costNanoUsd(price, usage({ inputTokens: 7, outputTokens: 3 }));
    expect(total).toBe(10_000n * (7n * 800n + 3n * 4000n));
  });
});

describe("PriceBook ties", () => {
  it("prices two ids of one family on one date and tier by the first id, whatever the row order", () => {
    const rate = (model: string, inputNano: number) => ({ model, effectiveFrom: new Date("2026-01-01T00:00:00Z"), minPromptTokens: 0, inputNano, cacheWrite5mNano: 0, cacheWrite1hNano: 0, cacheReadNano: 0, outputNano: 0 });
    const rows = [rate("claude-sonnet-4-5-20250929", 7), rate("claude-sonnet-4-5", 3)];
    expect(new PriceBook(rows).find("claude-sonnet-4-5", now, 10)!.inputNano).toBe(3);
    expect(new PriceBook([...rows].reverse()).find("claude-sonnet-4-5-20250929", now, 10)!.inputNano).toBe(3);
  });
});
