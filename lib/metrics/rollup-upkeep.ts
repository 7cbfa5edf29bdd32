import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import type { EventRecord } from "../ingestion/normalize-event";
import { log } from "../log";
import { RollupAggregator, type RollupCostDelta } from "./rollup-aggregate";
import { readWatermarks, sealRollups } from "./rollup-seal";
import { writeRollupRows } from "./rollup-write";

/**
 * Rollup upkeep in two steps. (1) The ingest transaction appends the newly stored events of its
 * batch to rollup_queue: one small row, atomic with the events, and only new events, so a
 * re-sent duplicate never counts twice. (2) A flusher drains the queue about once a second,
 * aggregates in memory and upserts each minute row once per flush; complete hours and days are
 * then sealed from their minute rows once (rollup-seal.ts). Upserting every grain per batch cost
 * 80% of ingest throughput (a 500-event batch touched ~300 rows with large histograms).
 */
// Only the benchmark turns upkeep off, to measure what it costs ingestion.
let enabled = true;
export function setRollupUpkeep(on: boolean): void {
  enabled = on;
}

type QueuedEvent = [number, string, string | null, string | null, string | null, string, number | null, number | null, number, number, number, number, number, string, string];
type QueuedDelta = [number, string, string | null, string | null, string | null, string, string, string];
type Payload = { e?: QueuedEvent[]; d?: QueuedDelta[] };

/** The ingestion hook (registered in lib/ingestion/ingest-batch.ts). */
export async function enqueueRollups(tx: Db, projectId: string, stored: EventRecord[]): Promise<void> {
  if (!enabled || stored.length === 0) return;
  const e: QueuedEvent[] = stored.map((r) => [
    Date.parse(r.ts),
    r.kind,
    r.model,
    r.route,
    r.agent,
    r.status,
    r.latencyMs,
    r.ttftMs,
    r.inputTokens,
    r.outputTokens,
    r.cacheReadTokens,
    r.cacheWrite5mTokens,
    r.cacheWrite1hTokens,
    r.responseCache,
    r.costNanoUsd,
  ]);
  await tx.execute(sql`insert into rollup_queue (project_id, payload) values (${projectId}::uuid, ${JSON.stringify({ e } satisfies Payload)})`);
}

/** Queues cost changes of already-counted events (price recompute); call inside its transaction. */
export async function enqueueCostDeltas(tx: Db, projectId: string, deltas: RollupCostDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const d: QueuedDelta[] = deltas.map((x) => [x.tsMs, x.kind, x.model, x.route, x.agent, x.status, x.responseCache, x.deltaNanoUsd.toString()]);
  await tx.execute(sql`insert into rollup_queue (project_id, payload) values (${projectId}::uuid, ${JSON.stringify({ d } satisfies Payload)})`);
}

function aggregate(queued: { project_id: string; payload: string }[]): RollupAggregator {
  const agg = new RollupAggregator();
  for (const { project_id: projectId, payload } of queued) {
    const p = JSON.parse(payload) as Payload;
    for (const x of p.e ?? []) {
      agg.addEvent(projectId, {
        tsMs: x[0],
        kind: x[1],
        model: x[2],
        route: x[3],
        agent: x[4],
        status: x[5],
        latencyMs: x[6],
        ttftMs: x[7],
        inputTokens: x[8],
        outputTokens: x[9],
        cacheReadTokens: x[10],
        cacheWrite5mTokens: x[11],
        cacheWrite1hTokens: x[12],
        responseCache: x[13],
        costNanoUsd: BigInt(x[14]),
      });
    }
    for (const x of p.d ?? []) {
      agg.addCostDelta(projectId, { tsMs: x[0], kind: x[1], model: x[2], route: x[3], agent: x[4], status: x[5], responseCache: x[6], deltaNanoUsd: BigInt(x[7]) });
    }
  }
  return agg;
}

// One flusher at a time per database; others skip their tick rather than wait.
const FLUSH_LOCK = 0x70_77_72_6f; // "pwro"
// Queue rows (ingest batches of up to 1,000 events) folded per transaction.
const CHUNK = 20;

export type FlushResult = { batches: number; rows: number; skipped: boolean };

/**
 * Drains the queue: each chunk is deleted, aggregated and upserted in one transaction, so a crash
 * leaves it queued and nothing is counted twice. Then seals complete hours and days.
 */
export async function flushRollups(db: Db, opts: { nowMs?: number } = {}): Promise<FlushResult> {
  const total: FlushResult = { batches: 0, rows: 0, skipped: false };
  for (;;) {
    const step = await db.transaction(async (t) => {
      const tx = t as unknown as Db;
      const lock = rowsOf<{ ok: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${FLUSH_LOCK}) as ok`));
      if (!lock[0]?.ok) return null;
      const nowMs = opts.nowMs ?? Date.now();
      const marks = await readWatermarks(tx, nowMs);
      const queued = rowsOf<{ project_id: string; payload: string }>(
        await tx.execute(sql`
          delete from rollup_queue where id in (select id from rollup_queue order by id limit ${CHUNK})
          returning project_id, payload
        `),
      );
      const rows = aggregate(queued).rows(marks);
      await writeRollupRows(tx, rows);
      if (queued.length < CHUNK) await sealRollups(tx, marks, nowMs);
      return { batches: queued.length, rows: rows.length };
    });
    if (!step) return { ...total, skipped: true };
    total.batches += step.batches;
    total.rows += step.rows;
    if (step.batches < CHUNK) return total;
  }
}

export type RollupFlusherStats = { flushes: number; lastFlushAt: string | null; lastBatches: number; lastRows: number; lastMs: number; failures: number };

/** Flushes every `everyMs` (default 1 s, well inside the 2 s visibility promise); returns a stop that flushes once more. */
export function startRollupFlusher(getDb: () => Db, everyMs = 1000): { stop: () => Promise<void>; stats: () => RollupFlusherStats } {
  const stats: RollupFlusherStats = { flushes: 0, lastFlushAt: null, lastBatches: 0, lastRows: 0, lastMs: 0, failures: 0 };
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return running;
    const started = performance.now();
    running = flushRollups(getDb())
      .then((r) => {
        stats.flushes += 1;
        stats.lastFlushAt = new Date().toISOString();
        stats.lastBatches = r.batches;
        stats.lastRows = r.rows;
        stats.lastMs = Math.round(performance.now() - started);
      })
      .catch((err) => {
        stats.failures += 1;
        log.error({ err }, "rollup flush failed; the queue keeps the events for the next try");
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      if (running) await running;
      await tick();
    },
    stats: () => ({ ...stats }),
  };
}
