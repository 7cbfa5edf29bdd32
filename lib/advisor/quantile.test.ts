import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { orderStatistic, quantileInPlace, quantilesInPlace, quantileSorted } from "./quantile";

describe("quantileInPlace", () => {
  it("equals percentile_cont over the sorted values, for any values and q", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, q) => {
        const sorted = Float64Array.from(xs).sort();
        expect(quantileInPlace(Float64Array.from(xs), q)).toBeCloseTo(quantileSorted(sorted, q)!, 6);
      }),
    );
  });
  it("is null for no values", () => {
    expect(quantileInPlace(new Float64Array(0), 0.5)).toBeNull();
  });
});

describe("quantilesInPlace", () => {
  it("equals quantileInPlace one quantile at a time, for any values and ascending qs", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 0, maxLength: 300 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }),
        (xs, qs) => {
          const sortedQs = [...qs].sort((a, b) => a - b);
          const one = sortedQs.map((q) => quantileInPlace(Float64Array.from(xs), q));
          // -0 and 0 are the same value here (toEqual tells them apart).
          const unsigned = (vs: (number | null)[]) => vs.map((v) => (v === 0 ? 0 : v));
          expect(unsigned(quantilesInPlace(Float64Array.from(xs), sortedQs))).toEqual(unsigned(one));
        },
      ),
    );
  });
  it("gives the p50 and p95 of many repeated values exactly", () => {
    const xs = Float64Array.from({ length: 10_001 }, (_, i) => i % 7);
    expect(quantilesInPlace(xs, [0.5, 0.95])).toEqual([quantileSorted(Float64Array.from(xs).sort(), 0.5), quantileSorted(Float64Array.from(xs).sort(), 0.95)]);
  });
});

describe("orderStatistic", () => {
  it("is the k-th smallest, with the smaller values before it", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.nat(), (xs, k0) => {
        const k = k0 % xs.length;
        const a = Float64Array.from(xs);
        const v = orderStatistic(a, k);
        expect(v === Float64Array.from(xs).sort()[k]).toBe(true);
        for (let i = 0; i < k; i++) expect(a[i]).toBeLessThanOrEqual(v);
      }),
    );
  });
});
