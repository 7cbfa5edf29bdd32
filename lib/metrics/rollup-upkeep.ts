import { sql, type SQL } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { rowsOf } from "@/db/rows";
import type { EventRecord } from "../events/event-record";
import { isDatabaseUnavailable } from "../errors";
import { log } from "../log";
import { RollupAggregator } from "./rollup-aggregate";
import type { RollupCostDelta } from "./rollup-event";
import { asBytes } from "./hist-codec";
import { deadLettersChanged, getDeadLetterSummary, maxAttemptsFromEnv, recordFoldFailure, type AloneResult, type DeadLetterSummary } from "./rollup-dead-letter";
import { decodeInto, encodeCostDeltas, encodeEvents } from "./rollup-queue-codec";
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

/** Queues newly stored events for the rollups; lib/ingestion/ingest-batch.ts calls it in its transaction. */
export async function enqueueRollups(tx: DbOrTx, projectId: string, stored: EventRecord[]): Promise<void> {
  if (!enabled || stored.length === 0) return;
  const { payload, packed } = encodeEvents(stored);
  await tx.execute(sql`insert into rollup_queue (project_id, payload, packed) values (${projectId}::uuid, ${payload}, ${packed})`);
}

/**
 * The same queue row for `events` as an INSERT ... SELECT that takes effect only when `onlyIf`
 * holds: storeEvents runs it inside its insert, on the condition that every event was new (null
 * when upkeep is off or there is nothing to queue).
 */
export function rollupQueueInsert(projectId: string, events: EventRecord[], onlyIf: SQL): SQL | null {
  if (!enabled || events.length === 0) return null;
  const { payload, packed } = encodeEvents(events);
  return sql`insert into rollup_queue (project_id, payload, packed) select ${projectId}::uuid, ${payload}::text, ${packed}::bytea where ${onlyIf}`;
}

/** Queues cost changes of already-counted events (price recompute); call inside its transaction. */
export async function enqueueCostDeltas(tx: DbOrTx, projectId: string, deltas: RollupCostDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await tx.execute(sql`insert into rollup_queue (project_id, payload) values (${projectId}::uuid, ${encodeCostDeltas(deltas)})`);
}


// One flusher at a time per database; others skip their tick rather than wait.
const FLUSH_LOCK = 0x70_77_72_6f; // "pwro"
// A flush transaction takes queue rows (ingest batches of up to 1,000 events) a slice at a time
// until the queue is empty or the aggregate reaches ROW_BUDGET minute rows. One transaction per
// second of live traffic rewrites each touched rollup row once; the budget bounds memory and
// transaction length when a backlog or a backfill spread over many minutes arrives.
const SLICE = 50;
const ROW_BUDGET = 500;

export type FlushResult = { batches: number; rows: number; transactions: number; skipped: boolean; setAside: number };

/** Per tick, the flusher starts no new transaction after this long (half of the 1 s tick). */
const TICK_BUDGET_MS = 500;

/**
 * Folds one queue row in its own transaction (after a batch holding it failed). A failure is then
 * this row's own: it counts an attempt, and at `maxAttempts` the row is set aside.
 */
export async function foldQueueRowAlone(db: Db, id: number, maxAttempts: number, nowMs?: number): Promise<AloneResult> {
  try {
    return await db.transaction(async (tx) => {
      const lock = rowsOf<{ ok: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${FLUSH_LOCK}) as ok`));
      if (!lock[0]?.ok) return "skipped" as const;
      const rows = rowsOf<{ project_id: string; payload: string; packed: unknown }>(
        await tx.execute(sql`delete from rollup_queue where id = ${id} returning project_id, payload, packed`),
      );
      const q = rows[0];
      if (!q) return "gone" as const;
      const agg = new RollupAggregator();
      decodeInto(agg, q.project_id, q.payload, asBytes(q.packed));
      await writeRollupRows(tx, agg.rows(await readWatermarks(tx, nowMs)));
      return "folded" as const;
    });
  } catch (err) {
    return recordFoldFailure(db, id, err, maxAttempts);
  }
}

/**
 * Drains the queue: queued events are deleted, aggregated and upserted in one transaction, so a
 * crash leaves them queued and nothing is counted twice. Then seals complete hours and days.
 * A batch that fails (not for want of a database) is folded again row by row, so one poison row
 * costs only its own attempts and the rows behind it keep flowing (rollup-dead-letter.ts).
 */
export async function flushRollups(
  db: Db,
  opts: { nowMs?: number; rowBudget?: number; slice?: number; untilMs?: number; yieldBetween?: boolean; maxAttempts?: number } = {},
): Promise<FlushResult> {
  const total: FlushResult = { batches: 0, rows: 0, transactions: 0, skipped: false, setAside: 0 };
  const slice = opts.slice ?? SLICE;
  const budget = opts.rowBudget ?? ROW_BUDGET;
  const maxAttempts = opts.maxAttempts ?? maxAttemptsFromEnv();
  for (;;) {
    const started = Date.now();
    // The queue rows the transaction took: if it fails, these are the suspects.
    const taken: number[] = [];
    let step: { batches: number; rows: number; drained: boolean } | null;
    try {
      step = await db.transaction(async (tx) => {
        const lock = rowsOf<{ ok: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${FLUSH_LOCK}) as ok`));
        if (!lock[0]?.ok) return null;
        // Rollups are derived: if a crash loses this commit, it loses the queue deletion with it and
        // the events fold again. So the flush need not wait for its WAL to reach disk.
        await tx.execute(sql`set local synchronous_commit = off`);
        const nowMs = opts.nowMs ?? Date.now();
        const marks = await readWatermarks(tx, nowMs);
        const agg = new RollupAggregator();
        let batches = 0;
        let drained = false;
        while (!drained && agg.size < budget) {
          const queued = rowsOf<{ id: string | number; project_id: string; payload: string; packed: unknown }>(
            await tx.execute(sql`
              delete from rollup_queue where id in (select id from rollup_queue order by id limit ${slice})
              returning id, project_id, payload, packed
            `),
          );
          for (const q of queued) taken.push(Number(q.id));
          for (const q of queued) decodeInto(agg, q.project_id, q.payload, asBytes(q.packed));
          batches += queued.length;
          drained = queued.length < slice;
        }
        const rows = agg.rows(marks);
        await writeRollupRows(tx, rows);
        // Sealing fails on its own (in a savepoint, bucket by bucket): never the fold with it.
        if (drained) await sealRollups(tx, marks, nowMs, maxAttempts);
        return { batches, rows: rows.length, drained };
      });
    } catch (err) {
      if (taken.length === 0 || isDatabaseUnavailable(err)) throw err;
      log.warn({ err, queueRows: taken.length }, "a rollup fold failed; folding its queue rows one by one to find the cause");
      for (const id of [...new Set(taken)].sort((a, b) => a - b)) {
        const r = await foldQueueRowAlone(db, id, maxAttempts, opts.nowMs);
        total.transactions += 1;
        if (r === "folded") total.batches += 1;
        if (r === "set_aside") total.setAside += 1;
        if (r === "skipped") break;
      }
      // The next tick goes on with what is still queued (a row being retried is at its head).
      return total;
    }
    if (!step) return { ...total, skipped: true };
    total.batches += step.batches;
    total.rows += step.rows;
    total.transactions += 1;
    if (step.drained) return total;
    // A backlog folds over several ticks, leaving the rest of each second to ingestion: at most
    // until `untilMs`, and with `yieldBetween` a pause as long as each transaction took, so
    // acknowledgements never wait behind a long burst of folding.
    if (opts.untilMs !== undefined && Date.now() >= opts.untilMs) return total;
    if (opts.yieldBetween) await new Promise((r) => setTimeout(r, Date.now() - started));
  }
}

export type RollupFlusherStats = {
  flushes: number;
  lastFlushAt: string | null;
  lastBatches: number;
  lastRows: number;
  lastMs: number;
  totalRows: number;
  totalMs: number;
  failures: number;
  /** Queue rows or buckets set aside after failing too often (rollup_dead_letters). */
  deadLetters: DeadLetterSummary;
};

/**
 * Flushes every `everyMs` (default 1 s, well inside the 2 s visibility promise) and returns a stop
 * that flushes once more. Live traffic folds in one transaction per tick. A backlog (a backfill
 * spread over many minutes, a restart after an outage) folds in small transactions with pauses
 * between them, about a quarter of each second, so it catches up without starving ingestion;
 * while it does, new events show later than 2 s.
 */
export function startRollupFlusher(getDb: () => Db, everyMs = 1000): { stop: () => Promise<void>; stats: () => RollupFlusherStats } {
  const stats: RollupFlusherStats = { flushes: 0, lastFlushAt: null, lastBatches: 0, lastRows: 0, lastMs: 0, totalRows: 0, totalMs: 0, failures: 0, deadLetters: { count: 0, latest: null } };
  let running: Promise<void> | null = null;
  const tick = (final = false) => {
    if (running) return running;
    const started = performance.now();
    running = flushRollups(getDb(), final ? {} : { untilMs: Date.now() + Math.min(TICK_BUDGET_MS, everyMs / 2), yieldBetween: true })
      .then((r) => {
        stats.flushes += 1;
        stats.lastFlushAt = new Date().toISOString();
        stats.lastBatches = r.batches;
        stats.lastRows = r.rows;
        stats.lastMs = Math.round(performance.now() - started);
        stats.totalRows += r.rows;
        stats.totalMs += stats.lastMs;
      })
      .then(async () => {
        // Read once at start and again only after something was set aside.
        if (deadLettersChanged()) stats.deadLetters = await getDeadLetterSummary(getDb());
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
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      if (running) await running;
      // The last flush on shutdown folds everything still queued, however long it takes.
      await tick(true);
    },
    stats: () => ({ ...stats }),
  };
}
