import { describe, expect, it } from "vitest";
import { formatChange, formatCount, formatMs, formatPercent, formatRate, formatUsd, relativeChange } from "./format";

describe("formatting for people", () => {
  it("shows latency in ms, s or min", () => {
    expect(formatMs(0)).toBe("0 ms");
    expect(formatMs(0.5)).toBe("0.50 ms");
    expect(formatMs(432.6)).toBe("433 ms");
    expect(formatMs(1234)).toBe("1.23 s");
    expect(formatMs(45_600)).toBe("45.6 s");
    expect(formatMs(150_000)).toBe("2.5 min");
    expect(formatMs(null)).toBe("—");
  });

  it("shows money in dollars with k and M", () => {
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(0.00123)).toBe("$0.0012");
    expect(formatUsd(12.345)).toBe("$12.35");
    expect(formatUsd(1234.5)).toBe("$1.23k");
    expect(formatUsd(2_500_000)).toBe("$2.50M");
    expect(formatUsd(-3)).toBe("-$3.00");
  });

  it("shows counts and tokens with k, M and B", () => {
    expect(formatCount(999)).toBe("999");
    expect(formatCount(1500)).toBe("1.5k");
    expect(formatCount(25_000)).toBe("25k");
    expect(formatCount(3_456_789)).toBe("3.46M");
    expect(formatCount(7_000_000_000)).toBe("7.00B");
  });

  it("shows rates and changes, and never turns a gap into zero", () => {
    expect(formatPercent(0.1234)).toBe("12.3%");
    expect(formatPercent(null)).toBe("—");
    expect(formatRate(42.4)).toBe("42/s");
    expect(relativeChange(120, 100)).toBeCloseTo(0.2);
    expect(relativeChange(5, 0)).toBeNull();
    expect(relativeChange(null, 3)).toBeNull();
    expect(formatChange(0.2)).toBe("▲ 20.0%");
    expect(formatChange(-1.5)).toBe("▼ 150%");
    expect(formatChange(null)).toBe("no previous data");
  });
});
