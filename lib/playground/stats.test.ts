import { describe, expect, it } from "vitest";
import { bootstrapRatio, certaintyOf, comparePanes, overlaidHistogram, pairwiseVerdicts, percentiles, seededRandom } from "./stats";

/** Log-normal samples (latency-like: long right tail) from a seeded generator. */
function lognormal(n: number, medianMs: number, sigma: number, seed: number): number[] {
  const rand = seededRandom(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    out.push(medianMs * Math.exp(sigma * z));
  }
  return out;
}

describe("percentiles", () => {
  it("gives the known quantiles of 1..100 and the mean", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    const p = percentiles(values);
    expect(p).toMatchObject({ n: 100, p50: 50.5, mean: 50.5 });
    expect(p.p95).toBeCloseTo(95.05, 6);
    expect(p.p99).toBeCloseTo(99.01, 6);
  });

  it("is a gap (null), not a zero, without values; non-finite values are ignored", () => {
    expect(percentiles([])).toEqual({ n: 0, p50: null, p95: null, p99: null, mean: null });
    expect(percentiles([Number.NaN, 4]).n).toBe(1);
  });

  it("recovers the median of a log-normal distribution within 10% from 2000 draws", () => {
    const p = percentiles(lognormal(2000, 300, 0.4, 7));
    expect(p.p50! / 300).toBeGreaterThan(0.9);
    expect(p.p50! / 300).toBeLessThan(1.1);
    // p95 of a log-normal is median * exp(1.645 sigma) = 300 * 1.93.
    expect(p.p95! / (300 * Math.exp(1.645 * 0.4))).toBeCloseTo(1, 1);
  });
});

describe("bootstrapRatio", () => {
  it("gives ratio 1 and a zero-width interval for identical samples", () => {
    const s = lognormal(30, 500, 0.3, 1);
    const ci = bootstrapRatio(s, s, "p50")!;
    expect(ci.ratio).toBe(1);
    expect(certaintyOf(ci)).not.toBe("clear");
  });

  it("centres on 2 for a sample shifted 2x, and the interval contains 2 but not 1", () => {
    const b = lognormal(40, 400, 0.3, 11);
    const a = lognormal(40, 800, 0.3, 12);
    for (const stat of ["p50", "p95"] as const) {
      const ci = bootstrapRatio(a, b, stat)!;
      expect(ci.lo).toBeGreaterThan(1);
      expect(ci.lo).toBeLessThan(2);
      expect(ci.hi).toBeGreaterThan(2);
      expect(ci.ratio).toBeGreaterThan(1.6);
      expect(ci.ratio).toBeLessThan(2.5);
    }
  });

  it("is deterministic for a seed", () => {
    const a = lognormal(20, 800, 0.5, 3);
    const b = lognormal(20, 700, 0.5, 4);
    expect(bootstrapRatio(a, b, "p95", { seed: 9 })).toEqual(bootstrapRatio(a, b, "p95", { seed: 9 }));
  });

  it("is null for an empty sample or a zero denominator", () => {
    expect(bootstrapRatio([], [1, 2], "p50")).toBeNull();
    expect(bootstrapRatio([1, 2], [0, 0], "p50")).toBeNull();
  });
});

describe("certaintyOf", () => {
  it("names each band", () => {
    expect(certaintyOf({ ratio: 1, lo: 0.85, hi: 1.18 })).toBe("no difference");
    expect(certaintyOf({ ratio: 1.2, lo: 0.9, hi: 1.6 })).toBe("not enough runs");
    expect(certaintyOf({ ratio: 1, lo: 0.7, hi: 1.1 })).toBe("not enough runs");
    expect(certaintyOf({ ratio: 2, lo: 1.5, hi: 2.6 })).toBe("clear");
    expect(certaintyOf({ ratio: 1.08, lo: 1.02, hi: 1.15 })).toBe("likely");
    expect(certaintyOf({ ratio: 0.5, lo: 0.4, hi: 0.6 })).toBe("clear");
  });
});

describe("comparePanes", () => {
  it("says 'no difference' for identical samples (p50 at 30 runs, p95 at 100 runs)", () => {
    for (const [n, stat] of [[30, "p50"], [100, "p95"]] as const) {
      const s = lognormal(n, 500, 0.3, 5);
      const v = comparePanes({ name: "A", latencyMs: s, costNanoUsd: [100] }, { name: "B", latencyMs: [...s], costNanoUsd: [100] }, stat);
      expect(v.certainty).toBe("no difference");
      expect(v.text).toContain("no difference");
    }
  });

  it("writes the issue's sentence for a 2x faster, cheaper pane, whichever order the panes come in", () => {
    const slow = { name: "A", latencyMs: lognormal(30, 1000, 0.2, 21), costNanoUsd: Array(30).fill(1000) };
    const fast = { name: "B", latencyMs: lognormal(30, 500, 0.2, 22), costNanoUsd: Array(30).fill(380) };
    for (const v of [comparePanes(slow, fast), comparePanes(fast, slow)]) {
      expect(v.a).toBe("A");
      expect(v.b).toBe("B");
      expect(v.certainty).toBe("clear");
      expect(v.costShare).toBeCloseTo(0.38, 5);
      expect(v.text).toMatch(/^B is \d\.\dx faster at p95 \(95% CI [\d.]+-[\d.]+x\) and costs 38% of A per call; 30 runs each; clear\.$/);
    }
  });

  it("says 'not enough runs' with fewer than 5 runs a pane, or when the interval spans 1", () => {
    const few = comparePanes({ name: "A", latencyMs: [100, 200, 300], costNanoUsd: [] }, { name: "B", latencyMs: [50, 60, 70], costNanoUsd: [] });
    expect(few.certainty).toBe("not enough runs");
    expect(few.interval).toBeNull();
    const noisy = comparePanes(
      { name: "A", latencyMs: lognormal(8, 500, 0.8, 31), costNanoUsd: [] },
      { name: "B", latencyMs: lognormal(8, 520, 0.8, 32), costNanoUsd: [] },
    );
    expect(noisy.interval!.lo).toBeLessThan(1);
    expect(noisy.interval!.hi).toBeGreaterThan(1);
    expect(noisy.certainty).toBe("not enough runs");
    expect(noisy.text).toContain("not enough runs");
  });

  it("compares every pair of panes", () => {
    const pane = (name: string, seed: number) => ({ name, latencyMs: lognormal(10, 500, 0.3, seed), costNanoUsd: [] });
    expect(pairwiseVerdicts([pane("A", 1), pane("B", 2), pane("C", 3)]).map((v) => [v.a, v.b].sort().join(""))).toEqual(["AB", "AC", "BC"]);
  });
});

describe("overlaidHistogram", () => {
  it("bins every pane on one shared range, counting each value once", () => {
    const bins = overlaidHistogram({ A: [0, 1, 2, 3], B: [10] }, 5);
    expect(bins).toHaveLength(5);
    expect(bins[0]!.from).toBe(0);
    expect(bins[4]!.to).toBe(10);
    expect(bins.reduce((s, b) => s + b.counts.A!, 0)).toBe(4);
    expect(bins[4]!.counts.B).toBe(1);
    expect(overlaidHistogram({ A: [] })).toEqual([]);
  });
});
