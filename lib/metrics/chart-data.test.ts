import { describe, expect, it } from "vitest";
import { isEmptyChart, isolatedPoints, isolatedValues, previousRange, rowsBySeries, rowsFromSeries, seriesNote, sparkTimes, sparkValues, throughputRows, timeDomain, tokenRows } from "./chart-data";
import { fillSeries } from "./fill-series";
import type { Timeseries, TimeseriesValues } from "./get-timeseries";
import type { TimeseriesMetric } from "./schemas";

/** A response of metric M; tests give only the fields they read. */
const ts = <M extends TimeseriesMetric>(metric: M, series: { key: string; values: Partial<TimeseriesValues[M]>[] }[]): Timeseries<M> => ({
  metric,
  bucket: "1h",
  from: "2026-01-01T00:00:00.000Z",
  to: "2026-01-01T02:00:00.000Z",
  groupBy: "model",
  totalSeries: series.length,
  series: series.map((s) => ({
    key: s.key,
    points: s.values.map((values, i) => ({ t: new Date(Date.parse("2026-01-01T00:00:00Z") + i * 3_600_000).toISOString(), values: values as TimeseriesValues[M] })),
  })),
});

describe("chart rows", () => {
  it("keep gaps as null and parse exact decimal strings", () => {
    const rows = rowsFromSeries(ts("latency", [{ key: "", values: [{ p95: 120 }, { p95: null }] }]), ["p95"]);
    expect(rows).toEqual([
      { t: Date.parse("2026-01-01T00:00:00Z"), p95: 120 },
      { t: Date.parse("2026-01-01T01:00:00Z"), p95: null },
    ]);
    const cost = rowsFromSeries(ts("cost", [{ key: "", values: [{ costNanoUsd: "5" }, { costNanoUsd: "0" }] }]), ["costNanoUsd"]);
    expect(cost.map((r) => r.costNanoUsd)).toEqual([5, 0]);
  });

  it("take only fields of the metric asked for, so a renamed field fails the typecheck", () => {
    const latency = ts("latency", [{ key: "", values: [{ p95: 1 }] }]);
    // @ts-expect-error costUsd is a field of "cost", not of "latency"
    rowsFromSeries(latency, ["costUsd"]);
    // @ts-expect-error no metric has a p97 field
    sparkValues(latency, "", "p97");
    // @ts-expect-error throughput rows are built from "requests" only
    throughputRows(ts("tokens", []));
    expect(rowsFromSeries(latency, ["p95", "samples"])).toEqual([{ t: Date.parse("2026-01-01T00:00:00Z"), p95: 1, samples: null }]);
  });

  it("put one column per series for stacking, naming the unset value", () => {
    const { rows, keys } = rowsBySeries(ts("cost", [{ key: "opus", values: [{ costUsd: 1 }, { costUsd: 2 }] }, { key: "", values: [{ costUsd: 0.5 }, { costUsd: 0 }] }]), "costUsd");
    expect(keys).toEqual(["opus", "(none)"]);
    expect(rows.map((r) => [r.opus, r["(none)"]])).toEqual([
      [1, 0.5],
      [2, 0],
    ]);
  });

  it("handle a missing response and pick sparkline values", () => {
    expect(rowsFromSeries<"latency", "p95">(undefined, ["p95"])).toEqual([]);
    expect(rowsBySeries<"cost">(undefined, "costUsd")).toEqual({ rows: [], keys: [] });
    expect(sparkValues(ts("latency", [{ key: "a", values: [{ p95: 1 }, { p95: null }] }]), "a", "p95")).toEqual([1, null]);
    const two = ts("latency", [{ key: "a", values: [{ p95: 1 }, { p95: null }] }]);
    expect(sparkTimes(two, "a")).toEqual(two.series[0]!.points.map((p) => Date.parse(p.t)));
    expect(sparkTimes(two, "missing")).toEqual([]);
    expect(sparkTimes(undefined, "a")).toEqual([]);
  });

  it("compare against the period just before, and spot an empty chart", () => {
    expect(previousRange("2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z")).toEqual({ from: "2026-01-01T00:00:00.000Z", to: "2026-01-02T00:00:00.000Z" });
    expect(isEmptyChart([{ t: 1, a: 0, b: null }])).toBe(true);
    expect(isEmptyChart([{ t: 1, a: 0, b: 3 }])).toBe(false);
  });

  it("split throughput into ok and errors and merge cache-write lifetimes", () => {
    expect(throughputRows(ts("requests", [{ key: "", values: [{ requests: 10, errors: 3 }] }]))[0]).toMatchObject({ ok: 7, errors: 3 });
    const tokens = ts("tokens", [{ key: "", values: [{ input: 5, cacheRead: 1, cacheWrite5m: 2, cacheWrite1h: 4, output: 7 }] }]);
    expect(tokenRows(tokens)[0]).toMatchObject({ input: 5, cacheRead: 1, cacheWrite: 6, output: 7 });
  });

  it("say honestly when a series list was cut", () => {
    const data = { ...ts("cost", [{ key: "a", values: [] }]), totalSeries: 5 };
    expect(seriesNote(data, "models")).toBe("Top 1 of 5 models");
    expect(seriesNote(ts("cost", [{ key: "a", values: [] }]), "models")).toBeUndefined();
  });
});

describe("charts with 1 point, 2 points and gaps", () => {
  const H = 3_600_000;
  const T0 = Date.parse("2026-01-01T00:00:00Z");

  it("mark the first hour of traffic on a 24 h chart as an isolated point, so the line chart draws a dot", () => {
    // 24 hourly buckets, traffic only in the last one: what a fresh install shows.
    const values = Array.from({ length: 24 }, (_, i) => (i === 23 ? { p50: 80, p95: 120, p99: 150 } : { p50: null, p95: null, p99: null }));
    const rows = rowsFromSeries(ts("latency", [{ key: "", values }]), ["p50", "p95", "p99"]);
    expect(rows).toHaveLength(24);
    const flags = isolatedPoints(rows, "p95");
    expect(flags[23]).toBe(true);
    expect(flags.filter(Boolean)).toHaveLength(1);
  });

  it("draw no dot where a line segment already shows the values (two neighbouring points)", () => {
    expect(isolatedValues([null, 5, 7, null])).toEqual([false, false, false, false]);
    expect(isolatedValues([5, 7])).toEqual([false, false]);
  });

  it("mark both of two points split by a gap, and a lone point between gaps", () => {
    expect(isolatedValues([5, null, 7])).toEqual([true, false, true]);
    expect(isolatedValues([1, 2, null, 3, null, 4, 5])).toEqual([false, false, false, true, false, false, false]);
    expect(isolatedValues([42])).toEqual([true]);
    expect(isolatedValues([])).toEqual([]);
  });

  it("count a zero rate as a value, not a gap (0% hit rate is drawn)", () => {
    expect(isolatedValues([null, 0, null])).toEqual([false, true, false]);
    expect(isolatedValues([undefined, 0, 0])).toEqual([false, false, false]);
  });

  it("widen a one-bucket time axis by half a bucket on each side, and leave longer axes to the data", () => {
    const one = rowsFromSeries(ts("latency", [{ key: "", values: [{ p95: 1 }] }]), ["p95"]);
    expect(timeDomain(one, "1h")).toEqual([T0 - H / 2, T0 + H / 2]);
    expect(timeDomain(one, "1m")).toEqual([T0 - 30_000, T0 + 30_000]);
    expect(timeDomain(one, undefined)).toEqual([T0 - H / 2, T0 + H / 2]);
    const two = rowsFromSeries(ts("latency", [{ key: "", values: [{ p95: 1 }, { p95: 2 }] }]), ["p95"]);
    expect(timeDomain(two, "1h")).toEqual(["dataMin", "dataMax"]);
    expect(timeDomain([], "1h")).toEqual(["dataMin", "dataMax"]);
  });

  it("fill a missing percentile bucket with a gap and a missing sum with 0", () => {
    const starts = [T0, T0 + H, T0 + 2 * H];
    const p = fillSeries(starts, new Map([[T0 + 2 * H, 120 as number | null]]), () => null);
    expect(p.map((x) => x.value)).toEqual([null, null, 120]);
    const c = fillSeries(starts, new Map([[T0, 3]]), () => 0);
    expect(c.map((x) => x.value)).toEqual([3, 0, 0]);
  });

  it("keep one bar and one sparkline value for a single bucket, and keep gaps in sparklines", () => {
    const requests = ts("requests", [{ key: "opus", values: [{ requests: 2, errors: 1 }] }]);
    expect(throughputRows(requests)).toEqual([{ t: T0, ok: 1, errors: 1 }]);
    expect(rowsBySeries(ts("cost", [{ key: "opus", values: [{ costUsd: 0.5 }] }]), "costUsd").rows).toEqual([{ t: T0, opus: 0.5 }]);
    expect(isEmptyChart(throughputRows(requests))).toBe(false);
    const spark = sparkValues(ts("latency", [{ key: "opus", values: [{ p95: null }, { p95: 90 }, { p95: null }, { p95: 95 }] }]), "opus", "p95");
    expect(spark).toEqual([null, 90, null, 95]);
    expect(isolatedValues(spark)).toEqual([false, true, false, true]);
  });
});
