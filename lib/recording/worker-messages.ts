import type { SpooledEvent } from "./spool";
import type { WriterStats } from "./event-writer";

/** What the recorder worker is started with. */
export type WorkerSettings = {
  url: string;
  poolMax: number;
  spoolDir: string;
  batchSize: number;
  flushIntervalMs: number;
  statsEveryMs: number;
  /** Run the rollup flusher here too (off the main thread); the main thread then runs none. */
  rollupFlusher: boolean;
  /** The worker thread's nice value (Linux): above 0 it yields the CPU to the request path. */
  nice: number;
};

export type ToWorker =
  | { type: "events"; events: SpooledEvent[] }
  | { type: "flush"; id: number }
  | { type: "close"; hurry: boolean }
  | { type: "hurry" };

export type FromWorker =
  /** `threadId`: the worker's kernel thread id when its priority was lowered, else null. */
  | { type: "ready"; threadId: number | null }
  /** `received`: events the worker has taken in so far (the rest are still in the message queue). */
  | { type: "stats"; stats: WriterStats; received: number; rollups?: Record<string, unknown> }
  | { type: "flushed"; id: number }
  | { type: "closed"; stats: WriterStats; received: number };
