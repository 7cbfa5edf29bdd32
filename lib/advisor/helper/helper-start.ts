import { Worker } from "node:worker_threads";
import { registerHealth } from "../../health";
import { log } from "../../log";
import { workerSource } from "../../worker-source";
import { HELPER_MIN_CALLS, type AnalysisHelper, type HelperCallOptions } from "./analysis-helper";
import type { FindingCells, HelperReply, HelperRequest, PredictionsMessage } from "./helper-messages";

type Env = Record<string, string | undefined>;

export type RunningHelper = AnalysisHelper & {
  stats(): HelperStats;
  /** Ends the thread: calls under way fail, and their analyses finish on the main thread. */
  close(): Promise<void>;
};

/** What /api/health shows of the helper: `restarts` after a crash; `thread` the current thread's id (it changes when an idle one is replaced). */
export type HelperStats = { tasks: number; failures: number; running: number; restarts: number; down: boolean; thread: number };

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void; onProgress?: (f: number) => void };

/**
 * A thread idle this long is replaced by a fresh one. Memory on a SharedArrayBuffer is freed only
 * once every thread holding it has collected it, and an idle thread collects nothing: the last
 * window's columns (150 MB at 1M calls) stayed alive after the main thread let them go.
 */
const RECYCLE_IDLE_MS = 15_000;
/** After a crash the thread is started again, at most this many times in a row without a task done. */
const MAX_RESTARTS = 3;

/**
 * Starts the advisor's helper thread (analysis-helper.ts), ready before the first analysis (its
 * TypeScript is loaded once, at start). Null when PITWALL_ADVISOR_HELPER=0: analyses then run on
 * the main thread alone.
 */
export function startAnalysisHelper(env: Env = process.env, opts: { minCalls?: number; recycleIdleMs?: number } = {}): RunningHelper | null {
  if (env.PITWALL_ADVISOR_HELPER === "0") return null;
  const recycleIdleMs = opts.recycleIdleMs ?? RECYCLE_IDLE_MS;
  const pending = new Map<number, Pending>();
  const stats: Omit<HelperStats, "running" | "thread"> = { tasks: 0, failures: 0, restarts: 0, down: false };
  let nextId = 1;
  let closed = false;
  let crashes = 0;
  let idle: NodeJS.Timeout | undefined;

  const failAll = (why: Error) => {
    for (const p of pending.values()) p.reject(why);
    pending.clear();
  };
  // The thread holds the process open while a call waits on it (a script awaiting an analysis),
  // and not when idle (the server's own handles decide when it ends).
  const holdWhileBusy = () => (pending.size > 0 ? worker.ref() : worker.unref());

  function spawn(): Worker {
    const w = new Worker(workerSource(new URL("./helper-worker.ts", import.meta.url)), { eval: true });
    w.on("message", (m: HelperReply) => {
      const p = pending.get(m.id);
      if (!p) return;
      if (m.type === "progress") return p.onProgress?.(m.fraction);
      pending.delete(m.id);
      holdWhileBusy();
      if (m.type === "done") {
        crashes = 0;
        p.resolve(m.result);
      } else {
        if (!m.aborted) stats.failures++;
        p.reject(new Error(m.aborted ? "cancelled" : "the helper's task failed (logged on its thread)"));
      }
      if (pending.size === 0) scheduleRecycle();
    });
    w.on("error", (err) => log.error({ err }, "advisor: the analysis helper's thread failed; its tasks run on the main thread"));
    w.on("exit", () => {
      if (w !== worker) return; // a recycled thread, replaced already
      failAll(new Error("the analysis helper's thread has exited"));
      if (closed) return;
      if (++crashes > MAX_RESTARTS) {
        stats.down = true;
        log.error({ crashes }, "advisor: the analysis helper's thread keeps exiting; analyses run on the main thread");
        return;
      }
      stats.restarts++;
      worker = spawn();
    });
    // After the listeners: a 'message' listener refs the thread again; idle, it must not hold the process open.
    w.unref();
    return w;
  }

  /** A fresh thread in place of an idle one (see RECYCLE_IDLE_MS); the old one's exit is ignored. */
  function scheduleRecycle(): void {
    clearTimeout(idle);
    idle = setTimeout(() => {
      if (closed || pending.size > 0) return;
      const old = worker;
      worker = spawn();
      void old.terminate();
    }, recycleIdleMs);
    idle.unref();
  }

  let worker = spawn();
  const current = (): HelperStats => ({ ...stats, running: pending.size, thread: worker.threadId });
  registerHealth("advisorHelper", current);

  function call<T>(request: Omit<Extract<HelperRequest, { type: "run" }>, "id" | "type">, opts: HelperCallOptions = {}): Promise<T> {
    if (closed || stats.down) return Promise.reject(new Error("the analysis helper's thread is down"));
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(signal.reason);
    clearTimeout(idle);
    const id = nextId++;
    stats.tasks++;
    return new Promise<T>((resolve, reject) => {
      // Posted first: a message that cannot be sent rejects here and leaves nothing pending.
      worker.postMessage({ type: "run", id, ...request } satisfies HelperRequest);
      const onAbort = () => {
        pending.delete(id);
        holdWhileBusy();
        worker.postMessage({ type: "cancel", id } satisfies HelperRequest);
        reject(signal!.reason);
        if (pending.size === 0) scheduleRecycle();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const done = () => signal?.removeEventListener("abort", onAbort);
      pending.set(id, {
        resolve: (v) => (done(), resolve(v as T)),
        reject: (e) => (done(), reject(e)),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      holdWhileBusy();
    });
  }

  let closing: Promise<void> | undefined;
  return {
    minCalls: opts.minCalls ?? HELPER_MIN_CALLS,
    stats: current,
    simulate: (traffic, task, opts) => call<PredictionsMessage>({ traffic, task }, opts),
    findings: (traffic, task, opts) => call<FindingCells>({ traffic, task }, opts),
    close: () =>
      (closing ??= (async () => {
        closed = true;
        stats.down = true;
        clearTimeout(idle);
        failAll(new Error("the analysis helper is closed"));
        await worker.terminate();
      })()),
  };
}
