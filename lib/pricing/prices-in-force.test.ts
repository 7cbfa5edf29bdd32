import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PriceBook, type PriceRow } from "./compute-cost";
import { pricesInForce } from "./prices-in-force";

const at = new Date("2026-06-01T00:00:00Z");
const row = (model: string, day: string, minPromptTokens = 0): PriceRow => ({
  model,
  effectiveFrom: new Date(`${day}T00:00:00Z`),
  minPromptTokens,
  inputNano: 1,
  cacheWrite5mNano: 1,
  cacheWrite1hNano: 1,
  cacheReadNano: 1,
  outputNano: 1,
});

describe("pricesInForce", () => {
  it("keeps the newest date per tier and leaves out rows dated after `at`", () => {
    const old = row("claude-sonnet-4-5", "2025-01-01");
    const current = row("claude-sonnet-4-5", "2026-01-01");
    const future = row("claude-sonnet-4-5", "2026-07-01");
    expect(pricesInForce([old, current, future], at)).toEqual(new Set([current]));
  });

  it("drops an older long-context tier once a newer date prices every prompt", () => {
    const oldShort = row("m", "2025-01-01", 0);
    const oldLong = row("m", "2025-01-01", 200_001);
    const newFlat = row("m", "2026-01-01", 0);
    // A 300K prompt reaches newFlat's tier, so PriceBook takes the newer date: oldLong prices nothing.
    expect(pricesInForce([oldShort, oldLong, newFlat], at)).toEqual(new Set([newFlat]));
  });

  it("keeps the older short-prompt rate when a newer date only adds a long-context tier", () => {
    const short = row("m", "2025-01-01", 0);
    const long = row("m", "2026-01-01", 200_001);
    expect(pricesInForce([short, long], at)).toEqual(new Set([short, long]));
  });

  it("groups dated ids with their family, as costs do", () => {
    const alias = row("claude-haiku-4-5", "2025-01-01");
    const dated = row("claude-haiku-4-5-20251001", "2026-01-01");
    expect(pricesInForce([alias, dated], at)).toEqual(new Set([dated]));
  });

  it("reads the API's ISO dates as well as Dates", () => {
    const rows = [
      { id: 1, model: "m", effectiveFrom: "2025-01-01T00:00:00.000Z", minPromptTokens: 0 },
      { id: 2, model: "m", effectiveFrom: "2026-01-01T00:00:00.000Z", minPromptTokens: 0 },
    ];
    expect([...pricesInForce(rows, at)].map((r) => r.id)).toEqual([2]);
  });

  it("is exactly the set of rows PriceBook.find returns for some prompt size", () => {
    const models = ["claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "claude-opus-4-1", "claude-opus-4-1-latest"];
    const days = ["2025-01-01", "2025-06-01", "2026-01-01", "2026-06-01", "2026-09-01"];
    const tiers = [0, 100_001, 200_001];
    const arbRow = fc.record({ model: fc.constantFrom(...models), day: fc.constantFrom(...days), tier: fc.constantFrom(...tiers) });
    fc.assert(
      fc.property(fc.uniqueArray(arbRow, { selector: (r) => `${r.model}|${r.day}|${r.tier}`, maxLength: 14 }), fc.boolean(), (specs, reversed) => {
        const rows = specs.map((s) => row(s.model, s.day, s.tier));
        if (reversed) rows.reverse();
        const book = new PriceBook(rows);
        const used = new Set<PriceRow>();
        for (const model of models) {
          for (const p of [0, 1, 100_000, 100_001, 150_000, 200_000, 200_001, 1_000_000]) {
            const found = book.find(model, at, p);
            if (found) used.add(found);
          }
        }
        expect(pricesInForce(rows, at)).toEqual(used);
      }),
      { numRuns: 500 },
    );
  });
});
