import type { DbHandle } from "@/db/client";
import { onRetention } from "../events/retention";
import { registerHealth } from "../health";
import { deleteRollupsBefore } from "./rollup-retention";
import { startRollupFlusher } from "./rollup-upkeep";

/**
 * The metrics engine's background work in a server process: the rollup flusher (about once a
 * second) and rollups in the retention job. Returns a stop that flushes what is queued.
 */
export function startMetrics(handle: DbHandle, env: Record<string, string | undefined> = process.env): () => Promise<void> {
  onRetention("rollups", deleteRollupsBefore);
  // PITWALL_ROLLUP_FLUSHER=0 leaves folding to another process (any one running it is enough:
  // they take turns under an advisory lock); this process still queues what it ingests.
  if (env.PITWALL_ROLLUP_FLUSHER === "0") return async () => {};
  const flusher = startRollupFlusher(() => handle.db);
  registerHealth("rollups", () => flusher.stats());
  return flusher.stop;
}
