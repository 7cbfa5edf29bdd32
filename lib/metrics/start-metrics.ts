import type { DbHandle } from "@/db/client";
import { onRetention } from "../events/retention";
import { registerHealth } from "../health";
import { deleteRollupsBefore } from "./rollup-retention";
import { startRollupFlusher } from "./rollup-upkeep";

/**
 * A rollup flusher that runs elsewhere in this process (the gateway recorder's worker thread):
 * its figures for /api/health, and a call for when it stops so this thread takes the folding over.
 */
export type RollupFolder = { stats: () => Record<string, unknown>; onLost: (takeOver: () => void) => void };

/**
 * The metrics engine's background work in a server process: the rollup flusher (about once a
 * second) and rollups in the retention job. Returns a stop that flushes what is queued. With
 * `foldedBy` the flusher already runs on the recorder's worker thread, off the event loop that
 * serves calls (its stop is the worker's close); this thread starts one only if that one dies.
 */
export function startMetrics(handle: DbHandle, env: Record<string, string | undefined> = process.env, foldedBy?: RollupFolder): () => Promise<void> {
  onRetention("rollups", deleteRollupsBefore);
  // PITWALL_ROLLUP_FLUSHER=0 leaves folding to another process (any one running it is enough:
  // they take turns under an advisory lock); this process still queues what it ingests.
  if (env.PITWALL_ROLLUP_FLUSHER === "0") return async () => {};
  let flusher: ReturnType<typeof startRollupFlusher> | undefined;
  const start = () => {
    flusher ??= startRollupFlusher(() => handle.db);
    registerHealth("rollups", () => flusher!.stats());
  };
  if (foldedBy) {
    registerHealth("rollups", foldedBy.stats);
    foldedBy.onLost(start);
  } else start();
  return async () => {
    await flusher?.stop();
  };
}
