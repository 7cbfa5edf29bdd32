import { describe, expect, it } from "vitest";
import { seededRandom } from "../../seeded-random";
import { robustLinearFit } from "./robust-fit";

describe("robustLinearFit", () => {
  it("recovers base and slope despite a few large stalls", () => {
    const rnd = seededRandom(1);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 400; i++) {
      const u = rnd() * 50;
      x.push([1, u]);
      // 5% of calls stall for 5 s: least squares would tilt the line, Huber does not.
      y.push(500 + 30 * u + (rnd() - 0.5) * 40 + (i % 20 === 0 ? 5000 : 0));
    }
    const [base, slope] = robustLinearFit(x, y);
    expect(base!).toBeGreaterThan(480);
    expect(base!).toBeLessThan(540);
    expect(slope!).toBeCloseTo(30, 0);
  });

  it("gives 0 to a column that is always zero and never a negative slope", () => {
    const x = [[1, 0, 1], [1, 0, 2], [1, 0, 3], [1, 0, 4]];
    const y = [10, 9, 8, 7];
    const beta = robustLinearFit(x, y);
    expect(beta[1]).toBe(0);
    expect(beta[2]).toBe(0);
    expect(beta[0]).toBeCloseTo(8.5, 3);
  });
});
