import { sql, type SQL } from "drizzle-orm";
import fc from "fast-check";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { ingestBatch } from "../../ingestion/ingest-batch";
import { flushRollups } from "../rollup-upkeep";
import type { DimFilters, SumsRow } from "../rollup-query";
import { TPS_SQL } from "../rollup-sql";

/** Test helpers for the metrics engine: ingest through the real path, and exact answers from events. */

export async function ingestAndFlush(db: Db, projectId: string, events: Record<string, unknown>[], opts: { nowMs?: number } = {}) {
  let accepted = 0;
  let duplicates = 0;
  for (let i = 0; i < events.length; i += 500) {
    const r = await ingestBatch(db, projectId, events.slice(i, i + 500));
    if (r.rejected.length > 0) throw new Error(`test events rejected: ${JSON.stringify(r.rejected.slice(0, 3))}`);
    accepted += r.accepted;
    duplicates += r.duplicates;
  }
  await flushRollups(db, opts);
  return { accepted, duplicates };
}

/** The sums a rollup row keeps that the oracle checks, named as SumsRow names them. */
type CheckedSum = Exclude<keyof SumsRow, "g1" | "g2" | "rcHitCostNano" | "rcMissCostNano" | "rcHitLatencyMs" | "rcMissLatencyMs">;

/** Those sums, exact: money and the millisecond sums as decimal strings, counts as numbers. */
export type ExactSums = { [K in CheckedSum]: SumsRow[K] extends bigint ? string : K extends `${string}SumMs` ? string : number };

/**
 * ExactSums from a row of text columns named as below (the events query here and the rollups
 * query in rollups.test.ts both select these names, each from its own table).
 */
export function exactSumsFrom(r: Record<string, string | null>): ExactSums {
  return {
    requests: Number(r.requests),
    errors: Number(r.errors),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    cacheReadTokens: Number(r.cache_read_tokens),
    cacheWrite5mTokens: Number(r.cache_write_5m_tokens),
    cacheWrite1hTokens: Number(r.cache_write_1h_tokens),
    costNanoUsd: r.cost_nano_usd!,
    latencyCount: Number(r.latency_count),
    latencySumMs: normalizeDecimal(r.latency_sum_ms!),
    ttftCount: Number(r.ttft_count),
    ttftSumMs: normalizeDecimal(r.ttft_sum_ms!),
    rcHits: Number(r.rc_hits),
    rcMisses: Number(r.rc_misses),
    rcBypass: Number(r.rc_bypass),
  };
}

function eventFilter(projectId: string, range: { fromMs: number; toMs: number }, filters: DimFilters, kind: string): SQL {
  const conds = [
    sql`project_id = ${projectId}::uuid`,
    sql`kind = ${kind}`,
    sql`ts >= ${new Date(range.fromMs).toISOString()}::timestamptz`,
    sql`ts < ${new Date(range.toMs).toISOString()}::timestamptz`,
  ];
  for (const d of ["model", "route", "agent", "status"] as const) {
    const v = filters[d];
    if (v !== undefined) conds.push(sql`coalesce(${sql.identifier(d)}, '') = ${v}`);
  }
  return sql.join(conds, sql` and `);
}

/** The same totals computed straight from the events table. */
export async function exactSums(db: Db, projectId: string, range: { fromMs: number; toMs: number }, filters: DimFilters = {}, kind = "llm"): Promise<ExactSums> {
  const r = rowsOf<Record<string, string | null>>(
    await db.execute(sql`
      select count(*)::text as requests, count(*) filter (where status = 'error')::text as errors,
        coalesce(sum(input_tokens), 0)::text as input_tokens, coalesce(sum(output_tokens), 0)::text as output_tokens,
        coalesce(sum(cache_read_tokens), 0)::text as cache_read_tokens,
        coalesce(sum(cache_write_5m_tokens), 0)::text as cache_write_5m_tokens,
        coalesce(sum(cache_write_1h_tokens), 0)::text as cache_write_1h_tokens,
        coalesce(sum(cost_nano_usd), 0)::text as cost_nano_usd,
        count(latency_ms)::text as latency_count,
        (coalesce(sum(floor(latency_ms * 1000 + 0.5)::bigint), 0)::numeric / 1000)::text as latency_sum_ms,
        count(ttft_ms)::text as ttft_count,
        (coalesce(sum(floor(ttft_ms * 1000 + 0.5)::bigint), 0)::numeric / 1000)::text as ttft_sum_ms,
        count(*) filter (where response_cache = 'hit')::text as rc_hits,
        count(*) filter (where response_cache = 'miss')::text as rc_misses,
        count(*) filter (where response_cache = 'bypass')::text as rc_bypass
      from events where ${eventFilter(projectId, range, filters, kind)}
    `),
  )[0]!;
  return exactSumsFrom(r);
}

/** "12.3400" and "12.34" are the same decimal. */
export function normalizeDecimal(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** Exact percentile_cont over the events, for checking the histograms. */
export async function exactPercentiles(
  db: Db,
  projectId: string,
  range: { fromMs: number; toMs: number },
  value: "latency" | "ttft" | "tps",
  filters: DimFilters = {},
): Promise<{ p50: number | null; p90: number | null; p95: number | null; p99: number | null }> {
  const expr =
    value === "latency"
      ? sql`latency_ms`
      : value === "ttft"
        ? sql`ttft_ms`
        : TPS_SQL;
  const r = rowsOf<Record<string, number | null>>(
    await db.execute(sql`
      select percentile_cont(0.5) within group (order by ${expr}) as p50,
        percentile_cont(0.9) within group (order by ${expr}) as p90,
        percentile_cont(0.95) within group (order by ${expr}) as p95,
        percentile_cont(0.99) within group (order by ${expr}) as p99
      from events where ${eventFilter(projectId, range, filters, "llm")} and ${expr} is not null
    `),
  )[0]!;
  const n = (v: number | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return { p50: n(r.p50), p90: n(r.p90), p95: n(r.p95), p99: n(r.p99) };
}

let seq = 0;
// Sub-microsecond latencies do not happen; denormal doubles would only test float edge cases.
const uniform = (min: number, max: number) => fc.double({ min: Math.max(min, 0.001), max, noNaN: true });
/** Pareto (alpha 1.1) from 50 ms: a long tail of slow calls. */
const heavyTail = fc.double({ min: 0.0001, max: 0.9999, noNaN: true }).map((u) => Math.min(3_600_000, 50 / Math.pow(1 - u, 1 / 1.1)));
const logNormal = fc
  .tuple(fc.double({ min: 0.0001, max: 0.9999, noNaN: true }), fc.double({ min: 0.0001, max: 0.9999, noNaN: true }))
  .map(([u, v]) => Math.exp(6.5 + 1.2 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)));

/** Random llm (and some tool) events within the last `hours`, with every field that rollups sum. */
export function eventArb(nowMs: number, hours = 47) {
  return fc
    .record({
      minutesAgo: fc.integer({ min: 1, max: hours * 60 }),
      second: fc.integer({ min: 0, max: 59_999 }),
      kind: fc.constantFrom("llm", "llm", "llm", "llm", "tool"),
      model: fc.constantFrom("claude-sonnet-4-5", "claude-haiku-4-5-20251001", "claude-opus-4-6", "no-price-model"),
      route: fc.constantFrom(null, "chat", "search", "a,b \"quoted\""),
      agent: fc.constantFrom(null, "planner", "coder"),
      status: fc.constantFrom("ok", "ok", "ok", "error", "aborted"),
      latencyMs: fc.oneof(uniform(0, 120_000), heavyTail, logNormal, fc.constant(0)),
      ttftMs: fc.option(fc.oneof(uniform(0, 5000), logNormal), { nil: null }),
      inputTokens: fc.integer({ min: 0, max: 200_000 }),
      outputTokens: fc.integer({ min: 0, max: 8000 }),
      cacheReadTokens: fc.integer({ min: 0, max: 100_000 }),
      cacheWrite5mTokens: fc.integer({ min: 0, max: 10_000 }),
      cacheWrite1hTokens: fc.integer({ min: 0, max: 10_000 }),
      responseCache: fc.constantFrom("hit", "miss", "bypass", "none"),
      costUsd: fc.option(uniform(0, 5), { nil: null, freq: 4 }),
    })
    .map((e) => ({
      id: `prop-${process.pid}-${seq++}-${Math.random().toString(36).slice(2, 8)}`,
      timestamp: new Date(Math.floor(nowMs / 60_000) * 60_000 - e.minutesAgo * 60_000 + e.second).toISOString(),
      kind: e.kind,
      model: e.model,
      route: e.route,
      agent: e.agent,
      status: e.status,
      latencyMs: e.latencyMs,
      ttftMs: e.ttftMs === null ? null : Math.min(e.ttftMs, e.latencyMs),
      inputTokens: e.inputTokens,
      outputTokens: e.outputTokens,
      cacheReadTokens: e.cacheReadTokens,
      cacheWrite5mTokens: e.cacheWrite5mTokens,
      cacheWrite1hTokens: e.cacheWrite1hTokens,
      responseCache: e.responseCache,
      ...(e.costUsd === null ? {} : { costUsd: e.costUsd }),
    }));
}
