import { Worker } from "node:worker_threads";
import { registerHealth } from "../../health";
import { log } from "../../log";
import { workerSource } from "../../worker-source";
import { HELPER_MIN_CALLS, type AnalysisHelper, type HelperCallOptions } from "./analysis-helper";
import type { FindingCells, HelperReply, HelperRequest, PredictionsMessage } from "./helper-messages";

type Env = Record<string, string | undefined>;

export type RunningHelper = AnalysisHelper & {
  /** Ends the thread: calls under way fail, and their analyses finish on the main thread. */
  close(): Promise<void>;
};

/** What /api/health shows of the helper. */
export type HelperStats = { tasks: number; failures: number; running: number; down: boolean };

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void; onProgress?: (f: number) => void };

/**
 * Starts the advisor's helper thread (analysis-helper.ts), ready before the first analysis (its
 * TypeScript is loaded once, at start). Null when PITWALL_ADVISOR_HELPER=0: analyses then run on
 * the main thread alone.
 */
export function startAnalysisHelper(env: Env = process.env, opts: { minCalls?: number } = {}): RunningHelper | null {
  if (env.PITWALL_ADVISOR_HELPER === "0") return null;
  const worker = new Worker(workerSource(new URL("./helper-worker.ts", import.meta.url)), { eval: true });
  worker.unref();
  const pending = new Map<number, Pending>();
  const stats: HelperStats = { tasks: 0, failures: 0, running: 0, down: false };
  let nextId = 1;
  const failAll = (why: Error) => {
    stats.down = true;
    for (const p of pending.values()) p.reject(why);
    pending.clear();
  };
  worker.on("message", (m: HelperReply) => {
    const p = pending.get(m.id);
    if (!p) return;
    if (m.type === "progress") return p.onProgress?.(m.fraction);
    pending.delete(m.id);
    if (m.type === "done") p.resolve(m.result);
    else {
      if (!m.aborted) stats.failures++;
      p.reject(new Error(m.aborted ? "cancelled" : "the helper's task failed (logged on its thread)"));
    }
  });
  worker.on("error", (err) => {
    log.error({ err }, "advisor: the analysis helper's thread failed; analyses run on the main thread");
    failAll(err);
  });
  worker.on("exit", () => failAll(new Error("the analysis helper's thread has exited")));
  registerHealth("advisorHelper", () => ({ ...stats, running: pending.size }));

  function call<T>(request: Omit<Extract<HelperRequest, { type: "run" }>, "id" | "type">, opts: HelperCallOptions = {}): Promise<T> {
    if (stats.down) return Promise.reject(new Error("the analysis helper's thread is down"));
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = nextId++;
    stats.tasks++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        pending.delete(id);
        worker.postMessage({ type: "cancel", id } satisfies HelperRequest);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const done = () => signal?.removeEventListener("abort", onAbort);
      pending.set(id, {
        resolve: (v) => (done(), resolve(v as T)),
        reject: (e) => (done(), reject(e)),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      worker.postMessage({ type: "run", id, ...request } satisfies HelperRequest);
    });
  }

  let closing: Promise<void> | undefined;
  return {
    minCalls: opts.minCalls ?? HELPER_MIN_CALLS,
    simulate: (traffic, task, opts) => call<PredictionsMessage>({ traffic, task }, opts),
    findings: (traffic, task, opts) => call<FindingCells>({ traffic, task }, opts),
    close: () => (closing ??= worker.terminate().then(() => undefined)),
  };
}
