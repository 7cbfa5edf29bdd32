import path from "node:path";
import { dataDir, type Db, type DbKind } from "@/db/client";
import { registerHealth } from "../health";
import { ingestBatch } from "../ingestion/ingest-batch";
import { EventWriter } from "./event-writer";

/** PITWALL_SPOOL_DIR, else `spool` next to the PGlite data dir (`.pitwall/spool` by default). */
export function spoolDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PITWALL_SPOOL_DIR ?? path.join(path.dirname(env.PITWALL_DATA_DIR ?? dataDir()), "spool");
}

/**
 * The process's event writer over the Foundation's ingestion (validation, pricing, one statement
 * per batch, rollup hooks), with its buffered/spooled/dropped counts on /api/health.
 */
export function createRecorder(getDb: () => Db, opts: { spoolDir?: string; kind?: DbKind; spoolFirst?: boolean } = {}): EventWriter {
  const writer = new EventWriter({
    ingest: (projectId, events) => ingestBatch(getDb(), projectId, events, { source: "gateway" }),
    spoolDir: opts.spoolDir ?? spoolDir(),
    spoolFirst: opts.spoolFirst,
    // Validating a batch holds the event loop (~2 ms per 100 events on Postgres), so batches stay
    // small and frequent there. Embedded PGlite pays a large fixed cost per transaction instead.
    ...(opts.kind === "pglite" ? { batchSize: 500, flushIntervalMs: 200 } : { batchSize: 100, flushIntervalMs: 50 }),
  });
  registerHealth("recording", () => writer.stats());
  return writer;
}
