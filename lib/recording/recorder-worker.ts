/**
 * The recorder's worker thread (started by WorkerEventWriter): an EventWriter over its own
 * Postgres pool, so validating, pricing and writing events (and the rollup queue rows that ride
 * along) never hold the gateway's event loop. Messages: see worker-event-writer.ts.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openPostgres } from "@/db/client";
import { ingestBatch } from "../ingestion/ingest-batch";
import { log } from "../log";
import { startRollupFlusher } from "../metrics/rollup-upkeep";
import { EventWriter } from "./event-writer";
import { lowerThreadPriority } from "../thread-priority";
import type { SpooledEvent } from "./spool";
import type { ToWorker, WorkerSettings } from "./worker-messages";

const settings = workerData as WorkerSettings;
const port = parentPort!;
// Recording only has to keep up; answering calls comes first when the cores are busy.
const lowered = lowerThreadPriority(settings.nice);
const handle = openPostgres(settings.url, { max: settings.poolMax });
const writer = new EventWriter({
  // After each batch the main thread hears the new counts (the writer counts them once this resolves).
  ingest: (projectId, events) => ingestBatch(handle.db, projectId, events, { source: "gateway" }).finally(() => setImmediate(sendStats)),
  spoolDir: settings.spoolDir,
  batchSize: settings.batchSize,
  flushIntervalMs: settings.flushIntervalMs,
});
// The rollup flusher folds the queue about once a second: a few milliseconds of decoding and
// merging each time, which belong off the gateway's loop as much as the writes that fill the queue.
const flusher = settings.rollupFlusher ? startRollupFlusher(() => handle.db) : undefined;
let hurry: AbortController | undefined;
let received = 0;

function sendStats(): void {
  port.postMessage({ type: "stats", stats: writer.stats(), received, rollups: flusher?.stats() });
}
const statsTimer = setInterval(sendStats, settings.statsEveryMs);

port.on("message", (m: ToWorker) => {
  switch (m.type) {
    case "events":
      for (const item of m.events as SpooledEvent[]) writer.record(item.p, item.e);
      received += m.events.length;
      break;
    case "flush":
      void writer.flush().then(() => {
        sendStats();
        port.postMessage({ type: "flushed", id: m.id });
      });
      break;
    case "hurry":
      hurry?.abort();
      break;
    case "close":
      hurry = new AbortController();
      if (m.hurry) hurry.abort();
      clearInterval(statsTimer);
      void writer
        .close({ hurry: hurry.signal })
        .catch((err: unknown) => log.error({ err }, "recorder worker: close failed"))
        // Then the flusher's last fold (everything still queued), unless the deadline passed.
        .then(() => (hurry!.signal.aborted ? undefined : flusher?.stop()))
        .catch((err: unknown) => log.error({ err }, "recorder worker: the last rollup fold failed; the queue keeps it"))
        .then(() => handle.close().catch(() => {}))
        .then(() => {
          port.postMessage({ type: "closed", stats: writer.stats(), received });
          port.close();
        });
      break;
  }
});
port.postMessage({ type: "ready", threadId: lowered });
