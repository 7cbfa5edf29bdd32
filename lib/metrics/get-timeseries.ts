import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { filtersOf, promptCacheHitRate, responseCacheHitRate } from "./get-summary";
import { fillSeries, topSeries } from "./fill-series";
import type { Percentiles } from "./histogram";
import { nanoToUsdRounded, ratio } from "./money";
import { queryWatermarks } from "./rollup-seal";
import { BUCKET_ORIGIN } from "./rollup-sql";
import { EMPTY_PERCENTILES, queryPercentiles, querySums, type HistMetric, type RollupScope, type SumsRow } from "./rollup-query";
import type { TimeseriesMetric, TimeseriesParams } from "./schemas";
import { autoBucket, bucketStarts, BUCKETS, checkPoints, planSegments, resolveRange, type BucketName } from "./time-range";

export type PointValues = Record<string, number | string | null>;
export type Series = { key: string; points: { t: string; values: PointValues }[] };
export type Timeseries = {
  metric: TimeseriesMetric;
  bucket: BucketName;
  from: string;
  to: string;
  groupBy: string | null;
  series: Series[];
  /** How many series the range has; `series` holds the top `limit` of them. */
  totalSeries: number;
};

const PERCENTILE_METRIC: Partial<Record<TimeseriesMetric, HistMetric>> = { latency: "latency", ttft: "ttft", tps: "tps" };

/** The values of one bucket from its sums; called with null for an empty bucket. */
function sumsValues(metric: TimeseriesMetric, s: SumsRow | null): PointValues {
  switch (metric) {
    case "requests":
      return { requests: s?.requests ?? 0, errors: s?.errors ?? 0, errorRate: s ? ratio(s.errors, s.requests) : null };
    case "tokens":
      return {
        input: s?.inputTokens ?? 0,
        output: s?.outputTokens ?? 0,
        cacheRead: s?.cacheReadTokens ?? 0,
        cacheWrite5m: s?.cacheWrite5mTokens ?? 0,
        cacheWrite1h: s?.cacheWrite1hTokens ?? 0,
      };
    case "cost":
      return { costUsd: s ? nanoToUsdRounded(s.costNanoUsd) : 0, costNanoUsd: s ? s.costNanoUsd.toString() : "0" };
    case "cache":
      return {
        responseCacheHitRate: s ? responseCacheHitRate(s) : null,
        promptCacheHitRate: s ? promptCacheHitRate(s) : null,
        hits: s?.rcHits ?? 0,
        misses: s?.rcMisses ?? 0,
        bypass: s?.rcBypass ?? 0,
      };
    default:
      return {};
  }
}

export async function getTimeseries(db: Db, projectId: string, params: TimeseriesParams, nowMs = Date.now()): Promise<Timeseries> {
  const range = resolveRange(params, nowMs);
  const bucket = params.bucket === "auto" ? autoBucket(range) : params.bucket;
  checkPoints(range, bucket);
  const width = BUCKETS[bucket];
  const marks = await queryWatermarks(db);
  const scope: RollupScope = {
    projectId,
    kind: params.kind,
    filters: filtersOf(params),
    segments: planSegments(range, marks, width),
    groupBy: params.groupBy,
  };
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
  const histMetric = PERCENTILE_METRIC[params.metric];
  const bySeries = new Map<string, Map<number, PointValues>>(keys.map((k) => [k, new Map()]));
  if (histMetric) {
    for (const row of await queryPercentiles(db, scope, [histMetric], { g1, g2 })) {
      bySeries.get(row.g2)?.set(Number(row.g1), { ...row.values, samples: row.count });
    }
  } else {
    for (const row of await querySums(db, scope, { g1, g2 })) {
      bySeries.get(row.g2)?.set(Number(row.g1), sumsValues(params.metric, row));
    }
  }
  const empty = (): PointValues => (histMetric ? { ...(EMPTY_PERCENTILES as Percentiles), samples: 0 } : sumsValues(params.metric, null));

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
