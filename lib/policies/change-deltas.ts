import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { responseCacheHitRate } from "../metrics/get-summary";
import { excludedRoutes } from "../metrics/playground-filter";

export { sideWindows, type NeighbourChange, type SideWindows } from "./side-windows";

/** Below this many calls on either side a delta is noise: it is shown as "too few requests". */
export const MIN_REQUESTS_PER_SIDE = 30;

export type SideStats = {
  requests: number;
  latencyP95Ms: number | null;
  ttftP95Ms: number | null;
  costNanoUsd: bigint;
  responseCacheHits: number;
  /** Lookups that missed; with the hits, the calls that asked the cache (bypassed calls never did). */
  responseCacheMisses: number;
  cacheReadTokens: number;
  promptTokens: number;
  errors: number;
};

export const DELTA_METRICS = ["latencyP95Ms", "ttftP95Ms", "costPerRequestUsd", "responseCacheHitRate", "promptCacheHitRate", "errorRate"] as const;
export type DeltaMetric = (typeof DELTA_METRICS)[number];

export type MetricDelta = {
  metric: DeltaMetric;
  before: number | null;
  after: number | null;
  /** after − before; null when a side has no value or too few requests. */
  change: number | null;
  /** (after − before) / before; null as above or when before is 0. */
  relative: number | null;
  beforeRequests: number;
  afterRequests: number;
  tooFew: boolean;
};

function values(s: SideStats): Record<DeltaMetric, number | null> {
  const n = s.requests;
  return {
    latencyP95Ms: s.latencyP95Ms,
    ttftP95Ms: s.ttftP95Ms,
    costPerRequestUsd: n > 0 ? Number(s.costNanoUsd) / 1e9 / n : null,
    // The summary's own rule (hits over lookups), so the table and the KPI card agree.
    responseCacheHitRate: responseCacheHitRate({ rcHits: s.responseCacheHits, rcMisses: s.responseCacheMisses }),
    // Token share: how much of the prompt was read from Anthropic's prompt cache.
    promptCacheHitRate: s.promptTokens > 0 ? s.cacheReadTokens / s.promptTokens : null,
    errorRate: n > 0 ? s.errors / n : null,
  };
}

/** Before/after per metric, each with the request counts behind it and the too-few flag. */
export function compareSides(before: SideStats, after: SideStats): MetricDelta[] {
  const b = values(before);
  const a = values(after);
  const tooFew = before.requests < MIN_REQUESTS_PER_SIDE || after.requests < MIN_REQUESTS_PER_SIDE;
  return DELTA_METRICS.map((metric) => {
    const x = b[metric];
    const y = a[metric];
    const usable = !tooFew && x !== null && y !== null;
    return {
      metric,
      before: x,
      after: y,
      change: usable ? y! - x! : null,
      relative: usable && x !== 0 ? (y! - x!) / x! : null,
      beforeRequests: before.requests,
      afterRequests: after.requests,
      tooFew,
    };
  });
}

const EMPTY: SideStats = { requests: 0, latencyP95Ms: null, ttftP95Ms: null, costNanoUsd: 0n, responseCacheHits: 0, responseCacheMisses: 0, cacheReadTokens: 0, promptTokens: 0, errors: 0 };

/**
 * The project's LLM calls in [from, at) and [at, to), one query. Playground calls
 * are left out unless asked for, by the dashboards' own rule: a race run next to a rollout must not
 * move its deltas.
 */
export async function getSideStats(
  db: Db,
  params: { projectId: string; at: Date; from: Date; to: Date; playground?: "include" | "exclude" },
): Promise<{ before: SideStats; after: SideStats }> {
  const from = params.from.toISOString();
  const to = params.to.toISOString();
  const at = params.at.toISOString();
  const excluded = excludedRoutes({ playground: params.playground, route: undefined });
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select (ts >= ${at}::timestamptz) as after, count(*) as n,
        percentile_cont(0.95) within group (order by latency_ms) as p95,
        percentile_cont(0.95) within group (order by ttft_ms) as ttft95,
        coalesce(sum(cost_nano_usd), 0)::text as cost,
        count(*) filter (where response_cache = 'hit') as hits,
        count(*) filter (where response_cache = 'miss') as misses,
        coalesce(sum(cache_read_tokens), 0) as read,
        coalesce(sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens), 0) as prompt,
        count(*) filter (where status = 'error') as errors
      from events
      where project_id = ${params.projectId}::uuid and kind = 'llm' and ts >= ${from}::timestamptz and ts < ${to}::timestamptz
        ${excluded.length > 0 ? sql`and route is distinct from ${excluded[0]}` : sql``}
      group by 1
    `),
  );
  const side = (after: boolean): SideStats => {
    const r = rows.find((x) => x.after === after || x.after === (after ? "t" : "f"));
    if (!r) return EMPTY;
    const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    return {
      requests: Number(r.n),
      latencyP95Ms: num(r.p95),
      ttftP95Ms: num(r.ttft95),
      costNanoUsd: BigInt(String(r.cost)),
      responseCacheHits: Number(r.hits),
      responseCacheMisses: Number(r.misses),
      cacheReadTokens: Number(r.read),
      promptTokens: Number(r.prompt),
      errors: Number(r.errors),
    };
  };
  return { before: side(false), after: side(true) };
}
