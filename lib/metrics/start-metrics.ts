import type { DbHandle } from "@/db/client";
import { onRetention } from "../events/retention";
import { registerHealth } from "../health";
import { deleteRollupsBefore } from "./rollup-retention";
import { startRollupFlusher } from "./rollup-upkeep";

/**
 * The metrics engine's background work in a server process: the rollup flusher (about once a
 * second) and rollups in the retention job. Returns a stop that flushes what is queued.
 */
export function startMetrics(handle: DbHandle): () => Promise<void> {
  onRetention("rollups", deleteRollupsBefore);
  const flusher = startRollupFlusher(() => handle.db);
  registerHealth("rollups", () => flusher.stats());
  return flusher.stop;
}
