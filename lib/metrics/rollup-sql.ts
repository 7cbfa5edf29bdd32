import { sql, type SQL } from "drizzle-orm";
import { bucketsAggSql } from "./hist-codec";
import { bucketKeySql } from "./histogram";

/**
 * Building metric_rollups from events with one set-based statement: `source` is any relation
 * with the event columns below (the events table, for a rebuild or the benchmark's bulk load);
 * it is aggregated for three grains x five grouping sets in one pass. Latency sums are whole
 * microseconds and histograms use the same keys and byte encoding as rollup-aggregate.ts, so
 * both paths give identical rows. Live ingestion goes through the queue and the flusher instead.
 */
export const SOURCE_COLUMNS = sql.raw(`ts, kind, model, route, agent, status, latency_ms, ttft_ms, input_tokens, output_tokens,
  cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, response_cache, cost_nano_usd`);

/** Grains, in seconds: every event lands in one bucket of each. */
export const GRAINS = [60, 3600, 86_400] as const;
export type Grain = (typeof GRAINS)[number];

/** Buckets are aligned to this origin (UTC midnight), so day buckets are UTC days. */
export const BUCKET_ORIGIN = "2000-01-01T00:00:00Z";

/** GROUPING(model, route, agent, status): which dimensions a rollup row keeps. */
export const SET_IDS = { all: 0, project: 15, model: 7, route: 11, agent: 13 } as const;

const GROUPING_SETS = sql.raw(`grouping sets ((model, route, agent, status), (), (model), (route), (agent))`);
const SET_KEY = sql.raw(`grouping(model, route, agent, status)::smallint as set_id,
  coalesce(model, '') as model, coalesce(route, '') as route, coalesce(agent, '') as agent, coalesce(status, '') as status`);

/**
 * Output tokens per second of generation (after the first token when it is known); ok calls with
 * at least a microsecond of generation only (as tokensPerSecond in rollup-aggregate.ts).
 */
export const TPS_SQL = sql.raw(`case when status = 'ok' and output_tokens > 0 and latency_ms - coalesce(ttft_ms, 0) >= 0.001
  then output_tokens::float8 * 1000 / (latency_ms - coalesce(ttft_ms, 0)) end`);

export const SUM_COLUMNS = [
  "requests",
  "errors",
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_5m_tokens",
  "cache_write_1h_tokens",
  "cost_nano_usd",
  "latency_count",
  "latency_sum_ms",
  "ttft_count",
  "ttft_sum_ms",
  "rc_hits",
  "rc_misses",
  "rc_bypass",
  "rc_hit_cost_nano",
  "rc_miss_cost_nano",
  "rc_hit_latency_ms",
  "rc_miss_latency_ms",
] as const;
export const HIST_COLUMNS = ["latency_buckets", "ttft_buckets", "tps_buckets"] as const;
export const KEY_COLUMNS = "project_id, grain_s, bucket, set_id, kind, model, route, agent, status";

/** Builds every grain's rows for `source`; for ranges without rollups yet (a conflict is an error). */
export function rollupBuildSql(projectId: string, source: SQL, grains: readonly Grain[] = GRAINS): SQL {
  const grainRows = sql.raw(grains.map((g) => `(${g}, interval '${g} seconds')`).join(", "));
  return sql`
    with src as (${source}),
    e as (
      select ts, kind, coalesce(model, '') as model, coalesce(route, '') as route, coalesce(agent, '') as agent, status,
        latency_ms, ttft_ms, input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
        response_cache, cost_nano_usd,
        ${bucketKeySql(sql`latency_ms`)} as lk, ${bucketKeySql(sql`ttft_ms`)} as tk, ${bucketKeySql(TPS_SQL)} as sk
      from src
    ),
    g as (
      select w.grain_s, date_bin(w.width, e.ts, ${BUCKET_ORIGIN}::timestamptz) as bucket, e.*
      from e cross join (values ${grainRows}) as w(grain_s, width)
    ),
    sums as (
      select grain_s, bucket, kind, ${SET_KEY},
        count(*) as requests,
        count(*) filter (where status = 'error') as errors,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_5m_tokens) as cache_write_5m_tokens,
        sum(cache_write_1h_tokens) as cache_write_1h_tokens,
        sum(cost_nano_usd)::bigint as cost_nano_usd,
        count(latency_ms) as latency_count,
        coalesce(sum(floor(latency_ms * 1000 + 0.5)::bigint), 0)::numeric / 1000 as latency_sum_ms,
        count(ttft_ms) as ttft_count,
        coalesce(sum(floor(ttft_ms * 1000 + 0.5)::bigint), 0)::numeric / 1000 as ttft_sum_ms,
        count(*) filter (where response_cache = 'hit') as rc_hits,
        count(*) filter (where response_cache = 'miss') as rc_misses,
        count(*) filter (where response_cache = 'bypass') as rc_bypass,
        coalesce(sum(cost_nano_usd) filter (where response_cache = 'hit'), 0)::bigint as rc_hit_cost_nano,
        coalesce(sum(cost_nano_usd) filter (where response_cache = 'miss'), 0)::bigint as rc_miss_cost_nano,
        coalesce(sum(floor(latency_ms * 1000 + 0.5)::bigint) filter (where response_cache = 'hit'), 0)::numeric / 1000 as rc_hit_latency_ms,
        coalesce(sum(floor(latency_ms * 1000 + 0.5)::bigint) filter (where response_cache = 'miss'), 0)::numeric / 1000 as rc_miss_latency_ms
      from g
      group by grain_s, bucket, kind, ${GROUPING_SETS}
    ),
    hc as (
      select grain_s, bucket, kind, ${SET_KEY}, h.m, h.k, count(*) as n
      from g cross join lateral (values (1, g.lk), (2, g.tk), (3, g.sk)) as h(m, k)
      where h.k is not null
      group by grain_s, bucket, kind, h.m, h.k, ${GROUPING_SETS}
    ),
    hists as (
      select grain_s, bucket, kind, set_id, model, route, agent, status,
        ${bucketsAggSql(sql`k`, sql`n`, sql`m = 1`)} as latency_buckets,
        ${bucketsAggSql(sql`k`, sql`n`, sql`m = 2`)} as ttft_buckets,
        ${bucketsAggSql(sql`k`, sql`n`, sql`m = 3`)} as tps_buckets
      from hc
      group by grain_s, bucket, kind, set_id, model, route, agent, status
    )
    insert into metric_rollups (${sql.raw(KEY_COLUMNS)}, ${sql.raw(SUM_COLUMNS.join(", "))}, ${sql.raw(HIST_COLUMNS.join(", "))})
    select ${projectId}::uuid, s.grain_s, s.bucket, s.set_id, s.kind, s.model, s.route, s.agent, s.status,
      ${sql.raw(SUM_COLUMNS.map((c) => `s.${c}`).join(", "))},
      coalesce(h.latency_buckets, ''::bytea), coalesce(h.ttft_buckets, ''::bytea), coalesce(h.tps_buckets, ''::bytea)
    from sums s
    left join hists h using (grain_s, bucket, kind, set_id, model, route, agent, status)
  `;
}

/** The events table as a rollup source, for one project and optional time range. */
export function eventsSource(projectId: string, range?: { from: Date; to: Date }): SQL {
  const inRange = range ? sql` and ts >= ${range.from.toISOString()}::timestamptz and ts < ${range.to.toISOString()}::timestamptz` : sql``;
  return sql`select ${SOURCE_COLUMNS} from events where project_id = ${projectId}::uuid${inRange}`;
}
