import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quantileInPlace, quantileSorted } from "./quantile";

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
