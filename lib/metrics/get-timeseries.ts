import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { scopeFiltersOf, promptCacheHitRate, responseCacheHitRate } from "./get-summary";
import { fillSeries, topSeries } from "./fill-series";
import type { Percentiles } from "./histogram";
import { nanoToUsdRounded, ratio } from "./money";
import { queryWatermarks } from "./rollup-seal";
import { BUCKET_ORIGIN } from "./rollup-sql";
import { EMPTY_PERCENTILES, HIST_METRICS, queryPercentiles, querySums, withoutAbsentExclusions, type HistMetric, type RollupScope, type SumsRow } from "./rollup-query";
import type { TimeseriesMetric, TimeseriesParams } from "./schemas";
import { autoBucket, bucketStarts, BUCKETS, checkPoints, planSegments, resolveRange, type BucketName } from "./time-range";

/** The values of one bucket from its sums, per sums metric; called with null for an empty bucket. */
const SUMS_VALUES = {
  requests: (s: SumsRow | null) => ({ requests: s?.requests ?? 0, errors: s?.errors ?? 0, errorRate: s ? ratio(s.errors, s.requests) : null }),
  tokens: (s: SumsRow | null) => ({
    input: s?.inputTokens ?? 0,
    output: s?.outputTokens ?? 0,
    cacheRead: s?.cacheReadTokens ?? 0,
    cacheWrite5m: s?.cacheWrite5mTokens ?? 0,
    cacheWrite1h: s?.cacheWrite1hTokens ?? 0,
  }),
  cost: (s: SumsRow | null) => ({ costUsd: s ? nanoToUsdRounded(s.costNanoUsd) : 0, costNanoUsd: s ? s.costNanoUsd.toString() : "0" }),
  cache: (s: SumsRow | null) => ({
    responseCacheHitRate: s ? responseCacheHitRate(s) : null,
    promptCacheHitRate: s ? promptCacheHitRate(s) : null,
    hits: s?.rcHits ?? 0,
    misses: s?.rcMisses ?? 0,
    bypass: s?.rcBypass ?? 0,
  }),
} satisfies Record<Exclude<TimeseriesMetric, HistMetric>, (s: SumsRow | null) => object>;

/** A percentile metric's bucket: p50..p99 (null where the bucket is empty) and how many samples. */
export type PercentileValues = Percentiles & { samples: number };

/**
 * What one bucket of each metric holds, derived from the code that fills it: clients pick fields
 * by `keyof TimeseriesValues[M]`, so renaming a field here fails the typecheck of every chart.
 */
export type TimeseriesValues = {
  [M in TimeseriesMetric]: M extends HistMetric ? PercentileValues : M extends keyof typeof SUMS_VALUES ? ReturnType<(typeof SUMS_VALUES)[M]> : never;
};
/** The field names of metric M's buckets. */
export type TimeseriesField<M extends TimeseriesMetric> = keyof TimeseriesValues[M] & string;

export type Series<M extends TimeseriesMetric = TimeseriesMetric> = { key: string; points: { t: string; values: TimeseriesValues[M] }[] };
export type Timeseries<M extends TimeseriesMetric = TimeseriesMetric> = {
  metric: M;
  bucket: BucketName;
  from: string;
  to: string;
  groupBy: string | null;
  series: Series<M>[];
  /** How many series the range has; `series` holds the top `limit` of them. */
  totalSeries: number;
};

const isHistMetric = (m: TimeseriesMetric): m is HistMetric => m in HIST_METRICS;

export async function getTimeseries<M extends TimeseriesMetric>(db: Db, projectId: string, params: TimeseriesParams & { metric: M }, nowMs = Date.now()): Promise<Timeseries<M>> {
  const range = resolveRange(params, nowMs);
  const bucket = params.bucket === "auto" ? autoBucket(range) : params.bucket;
  checkPoints(range, bucket);
  const width = BUCKETS[bucket];
  const marks = await queryWatermarks(db);
  const scope: RollupScope = await withoutAbsentExclusions(db, {
    projectId,
    kind: params.kind,
    ...scopeFiltersOf(params),
    segments: planSegments(range, marks, width),
    groupBy: params.groupBy,
  });
  const g1 = sql`(extract(epoch from date_bin(${`${width / 1000} seconds`}::interval, r.bucket, ${BUCKET_ORIGIN}::timestamptz)) * 1000)::bigint`;
  const g2 = params.groupBy ? sql`r.${sql.identifier(params.groupBy)}` : undefined;

  // Which series to draw: the largest by spend for cost, by requests otherwise.
  let keys = [""];
  let totalSeries = 1;
  if (params.groupBy) {
    const perSeries = await querySums(db, scope, { g2: g2! });
    const weight = (r: SumsRow) => (params.metric === "cost" ? nanoToUsdRounded(r.costNanoUsd) : r.requests);
    const top = topSeries(new Map(perSeries.map((r) => [r.g2, weight(r)])), params.limit);
    keys = top.keep;
    totalSeries = top.total;
    scope.groupIn = keys;
  }

  const starts = bucketStarts(range, bucket);
  const metric: TimeseriesMetric = params.metric;
  // The one place the metric's value type is asserted: `metric` picks the builder of M's values.
  type Values = TimeseriesValues[M];
  const bySeries = new Map<string, Map<number, Values>>(keys.map((k) => [k, new Map()]));
  let empty: () => Values;
  if (isHistMetric(metric)) {
    for (const row of await queryPercentiles(db, scope, [metric], { g1, g2 })) {
      bySeries.get(row.g2)?.set(Number(row.g1), { ...row.values, samples: row.count } satisfies PercentileValues as Values);
    }
    empty = () => ({ ...EMPTY_PERCENTILES, samples: 0 }) satisfies PercentileValues as Values;
  } else {
    const values = SUMS_VALUES[metric];
    for (const row of await querySums(db, scope, { g1, g2 })) {
      bySeries.get(row.g2)?.set(Number(row.g1), values(row) as Values);
    }
    empty = () => values(null) as Values;
  }

  return {
    metric: params.metric,
    bucket,
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
    groupBy: params.groupBy ?? null,
    series: keys.map((key) => ({
      key,
      points: fillSeries(starts, bySeries.get(key)!, empty).map((p) => ({ t: new Date(p.t).toISOString(), values: p.value })),
    })),
    totalSeries: params.groupBy ? totalSeries : 1,
  };
}
