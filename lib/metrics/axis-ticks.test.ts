import { describe, expect, it } from "vitest";
import { moneyAxis, niceTicks, usdTickFormat } from "./axis-ticks";

describe("money axis ticks", () => {
  it("steps by 1, 2 or 5 × 10^k from 0 past the maximum", () => {
    expect(niceTicks(0.18)).toEqual([0, 0.05, 0.1, 0.15, 0.2]);
    expect(niceTicks(0.3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(7.3)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(1200)).toEqual([0, 500, 1000, 1500]);
    expect(niceTicks(0)).toEqual([0]);
  });

  it("labels every tick exactly, with more decimals than cents only when the step needs them", () => {
    const ticks = niceTicks(0.18);
    expect(ticks.map(usdTickFormat(ticks))).toEqual(["$0.00", "$0.05", "$0.10", "$0.15", "$0.20"]);
    const small = niceTicks(0.0042);
    expect(small.map(usdTickFormat(small))).toEqual(["$0.000", "$0.002", "$0.004", "$0.006"]);
    const labels = small.map(usdTickFormat(small));
    expect(new Set(labels).size).toBe(labels.length);
  });

  it("spans the largest stacked bucket, or the largest single value when not stacked", () => {
    const rows = [
      { t: 1, a: 0.06, b: 0.05 },
      { t: 2, a: 0.09, b: 0.09 },
    ];
    expect(moneyAxis(rows, ["a", "b"], { stacked: true }).ticks).toEqual([0, 0.05, 0.1, 0.15, 0.2]);
    expect(moneyAxis(rows, ["a", "b"], { stacked: false }).ticks).toEqual([0, 0.05, 0.1]);
  });
});
