import { log } from "../../log";
import type { EventPredictions } from "../replay/simulate";
import type { TrafficMessage } from "../traffic-share";
import type { FindingCells, FindingsTask, PredictionsMessage, SimulateTask } from "./helper-messages";

/**
 * The advisor's second thread, as an analysis uses it (started with the server by
 * helper-start.ts): a 1M-call analysis is seconds of work, and this machine kind has two cores.
 * The replay runs its candidate pass there while this thread runs the backtest; the findings
 * hand it some kinds (HELPER_KINDS). Results are the same as on one thread (checked in the tests).
 */
export type AnalysisHelper = {
  /** Windows of fewer LLM calls stay on one thread (HELPER_MIN_CALLS unless a test says less). */
  readonly minCalls: number;
  simulate(traffic: TrafficMessage, task: SimulateTask, opts?: HelperCallOptions): Promise<PredictionsMessage>;
  findings(traffic: TrafficMessage, task: FindingsTask, opts?: HelperCallOptions): Promise<FindingCells>;
};

export type HelperCallOptions = { signal?: AbortSignal; onProgress?: (fraction: number) => void };

/**
 * Below this many LLM calls an analysis stays on one thread: sharing the columns and sending the
 * dictionaries costs more than half of a small window's work.
 */
export const HELPER_MIN_CALLS = 50_000;

const KEY = Symbol.for("pitwall.advisor.analysisHelper");
type Slot = { [KEY]?: AnalysisHelper | null };

/** Set by the server at start (the dashboard's routes, bundled apart, find it here); null to stop using it. */
export function setAnalysisHelper(helper: AnalysisHelper | null): void {
  (globalThis as Slot)[KEY] = helper;
}

/** The helper when `traffic` is large enough for it to pay, else undefined. */
export function helperFor(helper: AnalysisHelper | undefined, calls: number): AnalysisHelper | undefined {
  return helper && calls >= helper.minCalls ? helper : undefined;
}

/** The process's helper, or undefined (tests, a process without the server: analyses run on this thread). */
export function analysisHelper(): AnalysisHelper | undefined {
  return (globalThis as Slot)[KEY] ?? undefined;
}

/**
 * Starts work on the helper now and returns a way to take its result later: the helper's, or,
 * when the helper failed (logged), `here()` on this thread. An abort is rethrown, never redone.
 * A throw while starting (making the message) counts as a failure too. The rejection is handled
 * at once, so one while this thread works is never an unhandled one.
 */
export function startAway<T>(away: () => Promise<T>, here: () => Promise<T> | T, signal?: AbortSignal): () => Promise<T> {
  let started: Promise<T>;
  try {
    started = away();
  } catch (err) {
    started = Promise.reject(err);
  }
  const settled = started.then(
    (value) => ({ ok: true as const, value }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  return async () => {
    const r = await settled;
    if (r.ok) return r.value;
    signal?.throwIfAborted();
    log.warn({ err: r.err }, "advisor: the analysis helper failed; this part runs on the main thread");
    return here();
  };
}

/** A pass's predictions as simulate returns them, from the helper's message. */
export function predictionsFromMessage(m: PredictionsMessage): EventPredictions {
  const { modelCodes, models, timedModels: _timed, figures: _figures, ...rest } = m;
  void _timed;
  void _figures;
  const model = new Array<string | null>(modelCodes.length);
  for (let i = 0; i < modelCodes.length; i++) model[i] = modelCodes[i]! < 0 ? null : models[modelCodes[i]!]!;
  return { ...rest, model };
}
