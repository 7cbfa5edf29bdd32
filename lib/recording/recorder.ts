import path from "node:path";
import { dataDir, type Db, type DbKind } from "@/db/client";
import { registerHealth } from "../health";
import { ingestBatch } from "../ingestion/ingest-batch";
import { EventWriter } from "./event-writer";
import { WorkerEventWriter, type Recorder } from "./worker-event-writer";

export type { Recorder };

/** PITWALL_SPOOL_DIR, else `spool` next to the PGlite data dir (`.pitwall/spool` by default). */
export function spoolDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PITWALL_SPOOL_DIR ?? path.join(path.dirname(env.PITWALL_DATA_DIR ?? dataDir()), "spool");
}

export type RecorderOptions = {
  spoolDir?: string;
  kind?: DbKind;
  /** The Postgres connection string: with it (and not spool-first), the writer runs on a worker thread. */
  url?: string;
  spoolFirst?: boolean;
  /** false keeps the writer on the calling thread (PITWALL_RECORDING_WORKER=0). */
  worker?: boolean;
  /** On a worker, run the rollup flusher there too (pass its rollupFolder() to startMetrics). */
  rollupFlusher?: boolean;
};

/**
 * The process's event writer over the Foundation's ingestion (validation, pricing, one statement
 * per batch, rollup hooks), with its buffered/spooled/dropped counts on /api/health.
 *
 * On Postgres it runs on a worker thread with its own small pool (validating and pricing a batch
 * held the event loop about 2 ms per 100 events, which showed in the gateway's p99). PGlite
 * cannot be opened from a second thread, and spool-first must journal each event in the turn
 * it is recorded, so both keep the writer on this thread.
 */
export function createRecorder(getDb: () => Db, opts: RecorderOptions = {}): Recorder {
  const dir = opts.spoolDir ?? spoolDir();
  const postgres = opts.kind !== "pglite";
  // Batches stay small and frequent on Postgres; embedded PGlite pays a large fixed cost per transaction instead.
  const pacing = postgres ? { batchSize: 100, flushIntervalMs: 50 } : { batchSize: 500, flushIntervalMs: 200 };
  const inThread = () =>
    new EventWriter({
      ingest: (projectId, events) => ingestBatch(getDb(), projectId, events, { source: "gateway" }),
      spoolDir: dir,
      spoolFirst: opts.spoolFirst,
      ...pacing,
    });
  const useWorker = postgres && !!opts.url && !opts.spoolFirst && (opts.worker ?? process.env.PITWALL_RECORDING_WORKER !== "0");
  const writer: Recorder = useWorker
    ? new WorkerEventWriter({ url: opts.url!, poolMax: 4, spoolDir: dir, statsEveryMs: 250, rollupFlusher: opts.rollupFlusher ?? false, nice: workerNice(), ...pacing }, inThread)
    : inThread();
  registerHealth("recording", () => writer.stats());
  return writer;
}

/**
 * PITWALL_RECORDING_WORKER_NICE: the recorder thread's nice value, 0-19 (default 0: the process's
 * own). Three bench:gateway runs comparing 10 with 0 in the same run were split (nice 10 ahead in
 * one, behind in two, all within the machine's noise), so it is an option, not the default.
 */
function workerNice(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PITWALL_RECORDING_WORKER_NICE;
  if (raw === undefined || raw === "") return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 19) throw new Error(`PITWALL_RECORDING_WORKER_NICE must be a whole number from 0 to 19; got "${raw.slice(0, 20)}".`);
  return n;
}
