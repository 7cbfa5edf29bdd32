import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import type { Hist, RollupRow } from "./rollup-aggregate";
import { HIST_COLUMNS, KEY_COLUMNS, ON_CONFLICT, SUM_COLUMNS } from "./rollup-sql";

/** Whole microseconds as an exact decimal of milliseconds ("1234.567"). */
export function microsToMsDecimal(us: number): string {
  if (!Number.isSafeInteger(us) || us < 0) throw new Error(`latency sum out of range: ${us}`);
  const whole = Math.floor(us / 1000);
  const frac = us % 1000;
  return frac === 0 ? String(whole) : `${whole}.${String(frac).padStart(3, "0")}`;
}

const histJson = (h: Hist) => Object.fromEntries(h);

/**
 * Upserts pre-aggregated rows with one INSERT ... SELECT FROM jsonb_to_recordset ... ON CONFLICT:
 * sums add, histograms merge. Rows are sorted by key so concurrent writers lock in one order.
 */
export async function writeRollupRows(db: Db, rows: RollupRow[]): Promise<void> {
  // Bounded statements: a backfill spread over many minutes can produce one row per event.
  for (let i = 0; i < rows.length; i += WRITE_CHUNK) await writeChunk(db, rows.slice(i, i + WRITE_CHUNK));
}

const WRITE_CHUNK = 5000;

async function writeChunk(db: Db, rows: RollupRow[]): Promise<void> {
  if (rows.length === 0) return;
  const payload = rows.map((r) => ({
    project_id: r.projectId,
    grain_s: r.grainS,
    bucket: new Date(r.bucketMs).toISOString(),
    set_id: r.setId,
    kind: r.kind,
    model: r.model,
    route: r.route,
    agent: r.agent,
    status: r.status,
    requests: r.requests,
    errors: r.errors,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    cache_read_tokens: r.cacheReadTokens,
    cache_write_5m_tokens: r.cacheWrite5mTokens,
    cache_write_1h_tokens: r.cacheWrite1hTokens,
    cost_nano_usd: r.costNanoUsd.toString(),
    latency_count: r.latencyCount,
    latency_sum_ms: microsToMsDecimal(r.latencySumUs),
    ttft_count: r.ttftCount,
    ttft_sum_ms: microsToMsDecimal(r.ttftSumUs),
    rc_hits: r.rcHits,
    rc_misses: r.rcMisses,
    rc_bypass: r.rcBypass,
    rc_hit_cost_nano: r.rcHitCostNano.toString(),
    rc_miss_cost_nano: r.rcMissCostNano.toString(),
    rc_hit_latency_ms: microsToMsDecimal(r.rcHitLatencyUs),
    rc_miss_latency_ms: microsToMsDecimal(r.rcMissLatencyUs),
    latency_hist: histJson(r.latencyHist),
    ttft_hist: histJson(r.ttftHist),
    tps_hist: histJson(r.tpsHist),
  }));
  const columns = `${KEY_COLUMNS}, ${SUM_COLUMNS.join(", ")}, ${HIST_COLUMNS.join(", ")}`;
  await db.execute(sql`
    insert into metric_rollups (${sql.raw(columns)})
    select ${sql.raw(columns)}
    from jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) as r(
      project_id uuid, grain_s integer, bucket timestamptz, set_id smallint, kind text, model text, route text,
      agent text, status text, requests bigint, errors bigint, input_tokens bigint, output_tokens bigint,
      cache_read_tokens bigint, cache_write_5m_tokens bigint, cache_write_1h_tokens bigint, cost_nano_usd bigint,
      latency_count bigint, latency_sum_ms numeric, ttft_count bigint, ttft_sum_ms numeric, rc_hits bigint,
      rc_misses bigint, rc_bypass bigint, rc_hit_cost_nano bigint, rc_miss_cost_nano bigint,
      rc_hit_latency_ms numeric, rc_miss_latency_ms numeric, latency_hist jsonb, ttft_hist jsonb, tps_hist jsonb
    )
    -- A project deleted while its events waited in the queue has nothing left to roll up into.
    where exists (select 1 from projects p where p.id = r.project_id)
    order by ${sql.raw(KEY_COLUMNS)}
    ${ON_CONFLICT}
  `);
}
