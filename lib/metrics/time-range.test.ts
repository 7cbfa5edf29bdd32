import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fillSeries, topSeries } from "./fill-series";
import { autoBucket, bucketStarts, checkPoints, DAY, HOUR, MINUTE, planSegments, resolveRange } from "./time-range";

const NOW = Date.parse("2026-03-10T15:37:25.123Z");

describe("resolveRange", () => {
  it("widens to whole minutes so the minute in progress is included", () => {
    expect(resolveRange({ range: "1h" }, NOW)).toEqual({
      fromMs: Date.parse("2026-03-10T14:37:00Z"),
      toMs: Date.parse("2026-03-10T15:38:00Z"),
    });
  });

  it("defaults to the last 24 hours and prefers explicit from/to", () => {
    expect(resolveRange({}, NOW).fromMs).toBe(Date.parse("2026-03-09T15:37:00Z"));
    expect(resolveRange({ range: "7d", from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" }, NOW)).toEqual({
      fromMs: Date.parse("2026-01-01T00:00:00Z"),
      toMs: Date.parse("2026-01-02T00:00:00Z"),
    });
  });

  it("refuses an inverted or too long range with a clear message", () => {
    expect(() => resolveRange({ from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z" }, NOW)).toThrow(/before/);
    expect(() => resolveRange({ from: "2024-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }, NOW)).toThrow(/400 days/);
  });
});

describe("buckets", () => {
  it("picks 1m, 5m, 1h, 1d as the range grows", () => {
    const r = (span: number) => ({ fromMs: NOW - span, toMs: NOW });
    expect(autoBucket(r(HOUR))).toBe("1m");
    expect(autoBucket(r(6 * HOUR))).toBe("5m");
    expect(autoBucket(r(DAY))).toBe("1h");
    expect(autoBucket(r(7 * DAY))).toBe("1h");
    expect(autoBucket(r(30 * DAY))).toBe("1d");
  });

  it("lists aligned bucket starts covering the range", () => {
    const starts = bucketStarts({ fromMs: Date.parse("2026-03-10T14:37:00Z"), toMs: Date.parse("2026-03-10T15:38:00Z") }, "1h");
    expect(starts.map((t) => new Date(t).toISOString())).toEqual(["2026-03-10T14:00:00.000Z", "2026-03-10T15:00:00.000Z"]);
  });

  it("refuses more than 1500 points", () => {
    expect(() => checkPoints({ fromMs: NOW - 30 * DAY, toMs: NOW }, "1m")).toThrow(/1500/);
    expect(() => checkPoints({ fromMs: NOW - 30 * DAY, toMs: NOW }, "1h")).not.toThrow();
  });
});

describe("planSegments", () => {
  const minute = fc.integer({ min: 0, max: 60 * 24 * 90 }).map((m) => Date.parse("2026-01-01T00:00:00Z") + m * MINUTE);

  it("tiles the range exactly with aligned, sealed segments", () => {
    fc.assert(
      fc.property(minute, minute, minute, minute, fc.constantFrom(MINUTE, 5 * MINUTE, HOUR, DAY), (a, b, h, d, maxGrain) => {
        const range = { fromMs: Math.min(a, b), toMs: Math.max(a, b) + MINUTE };
        const marks = { hourUntilMs: Math.floor(h / HOUR) * HOUR, dayUntilMs: Math.floor(Math.min(d, h) / DAY) * DAY };
        const segs = planSegments(range, marks, maxGrain);
        let cursor = range.fromMs;
        for (const s of [...segs].sort((x, y) => x.fromMs - y.fromMs)) {
          expect(s.fromMs).toBe(cursor);
          expect(s.toMs).toBeGreaterThan(s.fromMs);
          const g = s.grainS * 1000;
          expect(s.fromMs % g).toBe(0);
          expect(s.toMs % g).toBe(0);
          expect(g).toBeLessThanOrEqual(Math.max(maxGrain, MINUTE));
          if (s.grainS === 3600) expect(s.toMs).toBeLessThanOrEqual(marks.hourUntilMs);
          if (s.grainS === 86_400) expect(s.toMs).toBeLessThanOrEqual(marks.dayUntilMs);
          cursor = s.toMs;
        }
        expect(cursor).toBe(range.toMs);
      }),
      { numRuns: 500 },
    );
  });

  it("reads a sealed 30-day range as days plus ragged edges", () => {
    const range = resolveRange({ range: "30d" }, NOW);
    const segs = planSegments(range, { hourUntilMs: Date.parse("2026-03-10T15:00:00Z"), dayUntilMs: Date.parse("2026-03-10T00:00:00Z") });
    expect(segs.map((s) => s.grainS)).toEqual([60, 3600, 86_400, 3600, 60]);
    expect(segs[2]).toEqual({ grainS: 86_400, fromMs: Date.parse("2026-02-09T00:00:00Z"), toMs: Date.parse("2026-03-10T00:00:00Z") });
  });

  it("falls back to minutes where nothing is sealed yet", () => {
    const range = { fromMs: NOW - 3 * HOUR - (NOW % MINUTE), toMs: NOW - (NOW % MINUTE) };
    const segs = planSegments(range, { hourUntilMs: 0, dayUntilMs: 0 });
    expect(segs).toEqual([{ grainS: 60, ...range }]);
  });
});

describe("fillSeries and topSeries", () => {
  it("fills gaps with the empty value in bucket order", () => {
    const filled = fillSeries([0, 60, 120], new Map([[60, { n: 2 }]]), () => ({ n: 0 }));
    expect(filled).toEqual([
      { t: 0, value: { n: 0 } },
      { t: 60, value: { n: 2 } },
      { t: 120, value: { n: 0 } },
    ]);
  });

  it("keeps the heaviest series and counts all of them", () => {
    expect(topSeries(new Map([["a", 1], ["b", 5], ["c", 3]]), 2)).toEqual({ keep: ["b", "c"], total: 3 });
  });
});
