import { Worker } from "node:worker_threads";
import type { DbHandle } from "@/db/client";
import { registerHealth } from "../health";
import { log } from "../log";
import { workerSource } from "../worker-source";
import { PassLoop } from "./pass-loop";
import { keeperPass } from "./segment-keeper";
import type { KeeperFromWorker, KeeperOutcome, KeeperPass, KeeperToWorker, KeeperWorkerSettings } from "./segment-keeper-messages";
import { keeperSettingsFromEnv, type KeeperSettings } from "./segment-keeper-settings";

type Env = Record<string, string | undefined>;

/** What /api/health shows of the keeper (no error text: that is logged). */
export type KeeperStats = {
  thread: "worker" | "main";
  days: number;
  passes: number;
  /** Passes left to another process's keeper, which held the lock. */
  skipped: number;
  failures: number;
  last?: KeeperPass & { at: string };
};

export type SegmentKeeper = {
  /** Starts a pass now unless one is running (tests, benches). */
  passNow(): void;
  stats(): KeeperStats;
  /** Stops it: a pass under way is cancelled (nothing half-written: each segment is one transaction). */
  close(): Promise<void>;
};

/** The niceness of the keeper's thread: its work only has to be done by the next pass. */
const KEEPER_NICE = 10;

/**
 * Starts the advisor's segment keeper (segment-keeper.ts): a pass soon after start, then one every
 * PITWALL_ADVISOR_SEGMENT_EVERY_S. On Postgres on a worker thread with its own pool, so the
 * encoding and sending stay off the gateway's loop; on PGlite, which one thread opens, on this
 * thread (a single-process install of modest traffic). Null when PITWALL_ADVISOR_SEGMENT_DAYS=0.
 */
export function startSegmentKeeper(handle: DbHandle, env: Env = process.env): SegmentKeeper | null {
  const settings = keeperSettingsFromEnv(env);
  if (settings.days === 0) return null;
  const onWorker = handle.kind === "postgres" && !!handle.url && env.PITWALL_ADVISOR_SEGMENT_WORKER !== "0";
  const stats: KeeperStats = { thread: onWorker ? "worker" : "main", days: settings.days, passes: 0, skipped: 0, failures: 0 };
  const record = (o: KeeperOutcome) => {
    if (o.type === "skipped") stats.skipped++;
    else if (o.type === "failed") stats.failures++;
    else {
      stats.passes++;
      stats.last = { ...o.pass, at: new Date().toISOString() };
      if (o.pass.daysWritten > 0) log.info({ ...o.pass }, "advisor: segment keeper stored new days");
    }
  };
  registerHealth("advisorSegments", () => ({ ...stats }));
  const keeper = onWorker ? onWorkerThread(handle.url!, settings, record) : onThisThread(handle, settings, record);
  return { ...keeper, stats: () => ({ ...stats }) };
}

function onWorkerThread(url: string, settings: KeeperSettings, record: (o: KeeperOutcome) => void): Omit<SegmentKeeper, "stats"> {
  const workerSettings: KeeperWorkerSettings = { ...settings, url, nice: KEEPER_NICE };
  const worker = new Worker(workerSource(new URL("./segment-keeper-worker.ts", import.meta.url)), { eval: true, workerData: workerSettings });
  let closed: (() => void) | undefined;
  worker.on("message", (m: KeeperFromWorker) => {
    if (m.type === "closed") closed?.();
    else record(m);
  });
  worker.on("error", (err) => log.error({ err }, "advisor: the segment keeper's thread failed; cold analyses load from the events"));
  // After the listeners: a 'message' listener refs the thread again, and it must not hold the process open.
  worker.unref();
  const post = (m: KeeperToWorker) => worker.postMessage(m);
  let closing: Promise<void> | undefined;
  return {
    passNow: () => post({ type: "pass-now" }),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        closed = resolve;
        worker.once("exit", () => resolve());
        post({ type: "close" });
      }).then(() => void worker.terminate())),
  };
}

function onThisThread(handle: DbHandle, settings: KeeperSettings, record: (o: KeeperOutcome) => void): Omit<SegmentKeeper, "stats"> {
  const loop = new PassLoop(
    async (signal) => {
      const outcome = await keeperPass(handle, settings.days, signal);
      if (outcome) record(outcome);
    },
    settings.firstAfterMs,
    settings.everyMs,
  );
  return { passNow: () => loop.now(), close: () => loop.close() };
}
