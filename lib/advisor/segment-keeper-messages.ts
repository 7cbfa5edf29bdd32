import type { KeeperSettings } from "./segment-keeper-settings";

/** What one pass did (health, tests, benches). */
export type KeeperPass = { projects: number; daysWritten: number; daysCleared: number; ms: number };

export type KeeperWorkerSettings = KeeperSettings & { url: string; nice: number };

export type KeeperToWorker = { type: "pass-now" } | { type: "close" };

/** How a pass ended. */
export type KeeperOutcome =
  | { type: "pass"; pass: KeeperPass }
  /** Another process's keeper held the lock: its pass does the work. */
  | { type: "skipped" }
  /** The error is logged where it happened. */
  | { type: "failed" };

export type KeeperFromWorker = KeeperOutcome | { type: "closed" };
