import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { asBytes, decodeHist, encodeHist, hexBytea } from "./hist-codec";
import { emptyRow, mergeInto, rowKey, type ExactInt, type RollupRow } from "./rollup-aggregate";
import { HIST_COLUMNS, KEY_COLUMNS, SUM_COLUMNS } from "./rollup-sql";

/**
 * Whole microseconds as an exact decimal of milliseconds ("1234.567"). BigInt, like money: the
 * columns are numeric, and a busy row's sum passes 2^53 us (~105k events of 24 h latency).
 */
export function microsToMsDecimal(us: ExactInt): string {
  if (typeof us === "number" && !Number.isSafeInteger(us)) throw new Error(`latency sum is not an exact integer: ${us}`);
  const v = BigInt(us);
  if (v < 0n) throw new Error(`latency sum out of range: ${v}`);
  const whole = v / 1000n;
  const frac = v % 1000n;
  return frac === 0n ? String(whole) : `${whole}.${String(frac).padStart(3, "0")}`;
}

/** The inverse, for sums read back from numeric columns ("1234.5670000" is fine); see ExactInt. */
export function msDecimalToMicros(text: string): ExactInt {
  const [whole = "0", frac = ""] = text.split(".");
  const trimmed = frac.replace(/0+$/, "");
  if (trimmed.length > 3 || !/^\d*$/.test(whole) || !/^\d*$/.test(trimmed)) throw new Error(`not a microsecond sum: ${text}`);
  const us = BigInt(whole || "0") * 1000n + BigInt(trimmed.padEnd(3, "0"));
  return us <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(us) : us;
}

const KEYS_RECORD = sql.raw(`project_id uuid, grain_s integer, bucket timestamptz, set_id smallint, kind text, model text, route text, agent text, status text`);

/** Rows as stored, read back into the aggregate shape (exact: BigInt money, integer microseconds). */
export function rowFromDb(r: Record<string, unknown>): RollupRow {
  const row = emptyRow(String(r.project_id), Number(r.grain_s), Number(r.bucket_ms), Number(r.set_id), String(r.kind), [
    String(r.model),
    String(r.route),
    String(r.agent),
    String(r.status),
  ]);
  row.requests = Number(r.requests);
  row.errors = Number(r.errors);
  row.inputTokens = Number(r.input_tokens);
  row.outputTokens = Number(r.output_tokens);
  row.cacheReadTokens = Number(r.cache_read_tokens);
  row.cacheWrite5mTokens = Number(r.cache_write_5m_tokens);
  row.cacheWrite1hTokens = Number(r.cache_write_1h_tokens);
  row.costNanoUsd = BigInt(String(r.cost_nano_usd));
  row.latencyCount = Number(r.latency_count);
  row.latencySumUs = msDecimalToMicros(String(r.latency_sum_ms));
  row.ttftCount = Number(r.ttft_count);
  row.ttftSumUs = msDecimalToMicros(String(r.ttft_sum_ms));
  row.rcHits = Number(r.rc_hits);
  row.rcMisses = Number(r.rc_misses);
  row.rcBypass = Number(r.rc_bypass);
  row.rcHitCostNano = BigInt(String(r.rc_hit_cost_nano));
  row.rcMissCostNano = BigInt(String(r.rc_miss_cost_nano));
  row.rcHitLatencyUs = msDecimalToMicros(String(r.rc_hit_latency_ms));
  row.rcMissLatencyUs = msDecimalToMicros(String(r.rc_miss_latency_ms));
  row.latencyHist = decodeHist(asBytes(r.latency_buckets));
  row.ttftHist = decodeHist(asBytes(r.ttft_buckets));
  row.tpsHist = decodeHist(asBytes(r.tps_buckets));
  return row;
}

/** Every stored column, with sums as text so nothing is rounded on the way. */
export const STORED_COLUMNS = sql.raw(
  `project_id, grain_s, (extract(epoch from bucket) * 1000)::bigint::text as bucket_ms, set_id, kind, model, route, agent, status, ` +
    SUM_COLUMNS.map((c) => `${c}::text as ${c}`).join(", ") +
    `, ${HIST_COLUMNS.join(", ")}`,
);

const WRITE_CHUNK = 2000;

/**
 * Adds pre-aggregated rows into metric_rollups. The stored rows with the same keys are read
 * (and locked), merged in memory and written back whole with one INSERT ... SELECT FROM
 * jsonb_to_recordset ... ON CONFLICT DO UPDATE. Only the flusher writes here, under its advisory
 * lock, so a read-modify-write cannot lose a concurrent update. `replace: true` overwrites
 * instead (sealing, which computes complete rows).
 */
export async function writeRollupRows(db: DbOrTx, rows: RollupRow[], opts: { replace?: boolean } = {}): Promise<void> {
  // Bounded statements: a backfill spread over many minutes can produce one row per event.
  for (let i = 0; i < rows.length; i += WRITE_CHUNK) await writeChunk(db, rows.slice(i, i + WRITE_CHUNK), opts.replace ?? false);
}

async function writeChunk(db: Db, rows: RollupRow[], replace: boolean): Promise<void> {
  if (rows.length === 0) return;
  const merged = new Map(rows.map((r) => [rowKey(r.projectId, r.grainS, r.bucketMs, r.setId, r.kind, [r.model, r.route, r.agent, r.status]), r]));
  if (!replace) {
    const keys = rows.map((r) => ({
      project_id: r.projectId,
      grain_s: r.grainS,
      bucket: new Date(r.bucketMs).toISOString(),
      set_id: r.setId,
      kind: r.kind,
      model: r.model,
      route: r.route,
      agent: r.agent,
      status: r.status,
    }));
    const stored = rowsOf<Record<string, unknown>>(
      await db.execute(sql`
        select ${STORED_COLUMNS} from metric_rollups m
        join jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as k(${KEYS_RECORD}) using (${sql.raw(KEY_COLUMNS)})
        for update of m
      `),
    );
    for (const s of stored) {
      const old = rowFromDb(s);
      const incoming = merged.get(rowKey(old.projectId, old.grainS, old.bucketMs, old.setId, old.kind, [old.model, old.route, old.agent, old.status]));
      // The incoming row absorbs the stored one; mergeInto adds every sum and bucket.
      if (incoming) mergeInto(incoming, old);
    }
  }
  const payload = [...merged.values()].map((r) => ({
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
    latency_buckets: hexBytea(encodeHist(r.latencyHist)),
    ttft_buckets: hexBytea(encodeHist(r.ttftHist)),
    tps_buckets: hexBytea(encodeHist(r.tpsHist)),
  }));
  const columns = `${KEY_COLUMNS}, ${SUM_COLUMNS.join(", ")}, ${HIST_COLUMNS.join(", ")}`;
  const overwrite = [...SUM_COLUMNS, ...HIST_COLUMNS].map((c) => `${c} = excluded.${c}`).join(", ");
  await db.execute(sql`
    insert into metric_rollups (${sql.raw(columns)})
    select ${sql.raw(columns)}
    from jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) as r(
      ${KEYS_RECORD}, requests bigint, errors bigint, input_tokens bigint, output_tokens bigint,
      cache_read_tokens bigint, cache_write_5m_tokens bigint, cache_write_1h_tokens bigint, cost_nano_usd bigint,
      latency_count bigint, latency_sum_ms numeric, ttft_count bigint, ttft_sum_ms numeric, rc_hits bigint,
      rc_misses bigint, rc_bypass bigint, rc_hit_cost_nano bigint, rc_miss_cost_nano bigint,
      rc_hit_latency_ms numeric, rc_miss_latency_ms numeric, latency_buckets bytea, ttft_buckets bytea, tps_buckets bytea
    )
    -- A project deleted while its events waited in the queue has nothing left to roll up into.
    where exists (select 1 from projects p where p.id = r.project_id)
    on conflict on constraint metric_rollups_pk do update set ${sql.raw(overwrite)}
  `);
}
