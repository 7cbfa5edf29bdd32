import { describe, expect, it } from "vitest";
import { formatChange, formatCostPerRequest, formatCount, formatLocal, formatMs, formatPercent, formatRate, formatUsd, formatUtc, formatUtcDay, relativeChange, timeLabel, timeTick } from "./format";

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

  it("shows a cost per request to four significant figures, so a saving of cents is visible", () => {
    expect(formatCostPerRequest(0.0156342)).toBe("$0.01563");
    expect(formatCostPerRequest(0.0197)).toBe("$0.01970");
    expect(formatCostPerRequest(0.5)).toBe("$0.5000");
    expect(formatCostPerRequest(0.000012346)).toBe("$0.00001235");
    expect(formatCostPerRequest(2.5)).toBe("$2.50");
    expect(formatCostPerRequest(0)).toBe("$0");
    expect(formatCostPerRequest(null)).toBe("—");
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

describe("dates for people", () => {
  const at = "2026-11-27T04:33:11.123Z";
  const zone = { locale: "en-US", timeZone: "UTC" };

  it("formats UTC without locale, so the server's HTML and the browser's agree", () => {
    expect(formatUtc(at)).toBe("2026-11-27 04:33 UTC");
    expect(formatUtc(at, { seconds: true })).toBe("2026-11-27 04:33:11 UTC");
    expect(formatUtc(Date.parse(at))).toBe("2026-11-27 04:33 UTC");
    expect(formatUtc(new Date(at))).toBe("2026-11-27 04:33 UTC");
    expect(formatUtcDay(at)).toBe("2026-11-27");
  });

  it("answers a dash for no date or a broken one, never 'Invalid Date' or the epoch", () => {
    for (const f of [formatUtc, formatUtcDay, formatLocal]) {
      expect(f(null)).toBe("—");
      expect(f(undefined)).toBe("—");
      expect(f("not a date")).toBe("—");
    }
  });

  it("formats local times in the viewer's zone and locale", () => {
    expect(formatLocal(at, zone)).toBe("Nov 27, 04:33 AM");
    expect(formatLocal(at, { ...zone, seconds: true })).toBe("Nov 27, 04:33:11 AM");
    expect(formatLocal(at, { locale: "en-GB", timeZone: "Asia/Tokyo" })).toBe("27 Nov, 13:33");
  });

  it("ticks chart axes as finely as the buckets", () => {
    const t = Date.parse(at);
    expect(timeTick("1d", zone)(t)).toBe("Nov 27");
    expect(timeTick("1h", zone)(t)).toBe("Nov 27, 04 AM");
    expect(timeTick("5m", zone)(t)).toBe("04:33 AM");
    expect(timeTick("1m", { locale: "en-GB", timeZone: "UTC" })(t)).toBe("04:33");
    expect(timeLabel(t, zone)).toBe("Nov 27, 2026, 4:33 AM");
  });
});
