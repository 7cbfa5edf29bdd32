import { describe, expect, it } from "vitest";
import { changeOf, rankFindings, trustLabel, trusted, windowOf } from "./advisor-view";
import { finding } from "./testing/findings";

describe("advisor view", () => {
  it("ranks findings by dollars per day saved", () => {
    const ranked = rankFindings([finding("streaming", "a", {}, 1), finding("response_cache", "b", {}, 30), finding("batch", "c", {}, 5)]);
    expect(ranked.map((f) => f.kind)).toEqual(["response_cache", "batch", "streaming"]);
  });
  it("computes a change only from two known figures and a non-zero baseline", () => {
    expect(changeOf(3200, 500)).toBeCloseTo(-0.84375, 5);
    expect(changeOf(null, 1)).toBeNull();
    expect(changeOf(0, 1)).toBeNull();
  });
  it("labels the backtest error as the prediction's trust", () => {
    expect(trustLabel(-0.0412)).toBe("±4.1%");
    expect(trustLabel(null)).toBe("—");
    expect(trusted(0.049)).toBe(true);
    expect(trusted(-0.06)).toBe(false);
    expect(trusted(null)).toBe(false);
  });
  it("makes a window ending now", () => {
    expect(windowOf(24, Date.parse("2026-12-02T00:00:00Z"))).toEqual({ from: "2026-12-01T00:00:00.000Z", to: "2026-12-02T00:00:00.000Z" });
  });
});
