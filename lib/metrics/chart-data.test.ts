import { describe, expect, it } from "vitest";
import { isEmptyChart, previousRange, rowsBySeries, rowsFromSeries, seriesNote, sparkValues, throughputRows, tokenRows } from "./chart-data";
import type { Timeseries } from "./get-timeseries";

const ts = (series: { key: string; values: Record<string, number | string | null>[] }[]): Timeseries => ({
  metric: "cost",
  bucket: "1h",
  from: "2026-01-01T00:00:00.000Z",
  to: "2026-01-01T02:00:00.000Z",
  groupBy: "model",
  totalSeries: series.length,
  series: series.map((s) => ({
    key: s.key,
    points: s.values.map((values, i) => ({ t: new Date(Date.parse("2026-01-01T00:00:00Z") + i * 3_600_000).toISOString(), values })),
  })),
});

describe("chart rows", () => {
  it("keep gaps as null and parse exact decimal strings", () => {
    const rows = rowsFromSeries(ts([{ key: "", values: [{ p95: 120, costNanoUsd: "5" }, { p95: null, costNanoUsd: "0" }] }]), ["p95", "costNanoUsd"]);
    expect(rows).toEqual([
      { t: Date.parse("2026-01-01T00:00:00Z"), p95: 120, costNanoUsd: 5 },
      { t: Date.parse("2026-01-01T01:00:00Z"), p95: null, costNanoUsd: 0 },
    ]);
  });

  it("put one column per series for stacking, naming the unset value", () => {
    const { rows, keys } = rowsBySeries(ts([{ key: "opus", values: [{ costUsd: 1 }, { costUsd: 2 }] }, { key: "", values: [{ costUsd: 0.5 }, { costUsd: 0 }] }]), "costUsd");
    expect(keys).toEqual(["opus", "(none)"]);
    expect(rows.map((r) => [r.opus, r["(none)"]])).toEqual([
      [1, 0.5],
      [2, 0],
    ]);
  });

  it("handle a missing response and pick sparkline values", () => {
    expect(rowsFromSeries(undefined, ["p95"])).toEqual([]);
    expect(rowsBySeries(undefined, "costUsd")).toEqual({ rows: [], keys: [] });
    expect(sparkValues(ts([{ key: "a", values: [{ p95: 1 }, { p95: null }] }]), "a", "p95")).toEqual([1, null]);
  });

  it("compare against the period just before, and spot an empty chart", () => {
    expect(previousRange("2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z")).toEqual({ from: "2026-01-01T00:00:00.000Z", to: "2026-01-02T00:00:00.000Z" });
    expect(isEmptyChart([{ t: 1, a: 0, b: null }])).toBe(true);
    expect(isEmptyChart([{ t: 1, a: 0, b: 3 }])).toBe(false);
  });

  it("split throughput into ok and errors and merge cache-write lifetimes", () => {
    const data = ts([{ key: "", values: [{ requests: 10, errors: 3, input: 5, cacheRead: 1, cacheWrite5m: 2, cacheWrite1h: 4, output: 7 }] }]);
    expect(throughputRows(data)[0]).toMatchObject({ ok: 7, errors: 3 });
    expect(tokenRows(data)[0]).toMatchObject({ input: 5, cacheRead: 1, cacheWrite: 6, output: 7 });
  });

  it("say honestly when a series list was cut", () => {
    const data = { ...ts([{ key: "a", values: [] }]), totalSeries: 5 };
    expect(seriesNote(data, "models")).toBe("Top 1 of 5 models");
    expect(seriesNote(ts([{ key: "a", values: [] }]), "models")).toBeUndefined();
  });
});
