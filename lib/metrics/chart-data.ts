import type { Timeseries, TimeseriesField, TimeseriesValues } from "./get-timeseries";
import type { TimeseriesMetric } from "./schemas";
import { BUCKETS, type BucketName } from "./time-range";

/**
 * The PREPARE step of every chart, pure and tested: API time series in, rows for the chart out.
 * Charts only draw. Missing values stay null, so lines show a gap instead of dropping to zero.
 */
export type ChartRow = { t: number; [column: string]: number | null };

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v !== "" && Number.isFinite(Number(v)) ? Number(v) : null);

/** A dimension value as people read it: an unset route or agent is "(none)". */
export function seriesLabel(key: string): string {
  return key === "" ? "(none)" : key;
}

/** Field `f` of one bucket; `f` is a field of that metric, so a renamed field fails the typecheck. */
const valueOf = <M extends TimeseriesMetric>(values: TimeseriesValues[M], f: TimeseriesField<M>): number | null => num(values[f]);

/** One row per bucket with the given fields of a single (ungrouped) series, one column per field. */
export function rowsFromSeries<M extends TimeseriesMetric, F extends TimeseriesField<M>>(ts: Timeseries<M> | undefined, fields: readonly NoInfer<F>[]): (ChartRow & Record<F, number | null>)[] {
  const points = ts?.series[0]?.points ?? [];
  return points.map((p) => {
    const row: ChartRow = { t: Date.parse(p.t) };
    for (const f of fields) row[f] = valueOf<M>(p.values, f);
    return row as ChartRow & Record<F, number | null>;
  });
}

/** One row per bucket with a column per series (e.g. cost stacked by model). */
export function rowsBySeries<M extends TimeseriesMetric>(ts: Timeseries<M> | undefined, field: NoInfer<TimeseriesField<M>>): { rows: ChartRow[]; keys: string[] } {
  if (!ts || ts.series.length === 0) return { rows: [], keys: [] };
  const keys = ts.series.map((s) => seriesLabel(s.key));
  const rows: ChartRow[] = ts.series[0]!.points.map((p) => ({ t: Date.parse(p.t) }));
  ts.series.forEach((s, i) => {
    s.points.forEach((p, j) => {
      if (rows[j]) rows[j]![keys[i]!] = valueOf<M>(p.values, field);
    });
  });
  return { rows, keys };
}

/** The bucket starts (ms) of one series, matching `sparkValues`, so a sparkline can place change markers. */
export function sparkTimes(ts: Timeseries | undefined, key: string): number[] {
  return ts?.series.find((s) => s.key === key)?.points.map((p) => Date.parse(p.t)) ?? [];
}

/** The values of one series for a sparkline, in bucket order. */
export function sparkValues<M extends TimeseriesMetric>(ts: Timeseries<M> | undefined, key: string, field: NoInfer<TimeseriesField<M>>): (number | null)[] {
  return ts?.series.find((s) => s.key === key)?.points.map((p) => valueOf<M>(p.values, field)) ?? [];
}

/**
 * Which values a line cannot draw: a value with a gap (or the edge) on both sides. A line needs two
 * neighbours to draw a segment, so the first hour of traffic on a 24 h chart, or a lone bucket
 * between gaps, would otherwise be invisible; charts put a dot exactly there.
 */
export function isolatedValues(values: readonly (number | null | undefined)[]): boolean[] {
  const present = (i: number) => i >= 0 && i < values.length && values[i] !== null && values[i] !== undefined;
  return values.map((_, i) => present(i) && !present(i - 1) && !present(i + 1));
}

/** `isolatedValues` of one column of chart rows. */
export function isolatedPoints(rows: ChartRow[], key: string): boolean[] {
  return isolatedValues(rows.map((r) => r[key]));
}

/**
 * The time axis of a chart. Normally the data's own first and last bucket; a chart of one bucket
 * would have an empty domain (first = last), so it is widened by half a bucket on each side and
 * the point or bar sits in the middle.
 */
export function timeDomain(rows: ChartRow[], bucket: BucketName | undefined): [number, number] | ["dataMin", "dataMax"] {
  if (rows.length === 0) return ["dataMin", "dataMax"];
  const first = rows[0]!.t;
  const last = rows[rows.length - 1]!.t;
  if (first !== last) return ["dataMin", "dataMax"];
  const half = (bucket ? BUCKETS[bucket] : BUCKETS["1h"]) / 2;
  return [first - half, last + half];
}

/** The period just before [from, to), of the same length: what KPI changes compare against. */
export function previousRange(from: string, to: string): { from: string; to: string } {
  const f = Date.parse(from);
  const t = Date.parse(to);
  return { from: new Date(f - (t - f)).toISOString(), to: new Date(f).toISOString() };
}

/** True when a chart has nothing to draw (every value null or zero). */
export function isEmptyChart(rows: ChartRow[]): boolean {
  return rows.every((r) => Object.entries(r).every(([k, v]) => k === "t" || v === null || v === 0));
}

/** Requests per bucket split into ok and errors, for a stacked throughput chart. */
export function throughputRows(ts: Timeseries<"requests"> | undefined): ChartRow[] {
  return rowsFromSeries(ts, ["requests", "errors"]).map((r) => ({ t: r.t, ok: (r.requests ?? 0) - (r.errors ?? 0), errors: r.errors ?? 0 }));
}

/** Tokens per bucket by kind; both cache-write lifetimes count as "cache write". */
export function tokenRows(ts: Timeseries<"tokens"> | undefined): ChartRow[] {
  return rowsFromSeries(ts, ["input", "cacheRead", "cacheWrite5m", "cacheWrite1h", "output"]).map((r) => ({
    t: r.t,
    input: r.input ?? 0,
    cacheRead: r.cacheRead ?? 0,
    cacheWrite: (r.cacheWrite5m ?? 0) + (r.cacheWrite1h ?? 0),
    output: r.output ?? 0,
  }));
}

/** "Top 8 of 23 models" when a grouped series list was cut; nothing when it was not. */
export function seriesNote(ts: Timeseries | undefined, noun: string): string | undefined {
  if (!ts || ts.totalSeries <= ts.series.length) return undefined;
  return `Top ${ts.series.length} of ${ts.totalSeries} ${noun}`;
}
