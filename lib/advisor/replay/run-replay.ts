import type { PriceBook } from "../../pricing/compute-cost";
import { MIN_REQUESTS_PER_ROUTE } from "../finding-schema";
import { decode, type Traffic } from "../traffic";
import { figuresOf, predictedMeasures, recordedMeasures } from "./figures";
import { TRUST_METRICS, type BacktestError, type Figures, type ReplayAnswer, type ReplayGroup } from "./replay-schema";
import { simulate, type CodeChanges, type EventPredictions, type ReplayPolicies } from "./simulate";
import { fitTimings, MIN_FIT_SAMPLES, type ThinModel, type TimingModel } from "./timing-fit";

export type RunReplayInput = {
  traffic: Traffic;
  live: ReplayPolicies;
  candidate: ReplayPolicies;
  code?: CodeChanges;
  prices: PriceBook;
  seed?: number;
  signal?: AbortSignal;
  /** 0..1 over the backtest and the candidate's replay. */
  onProgress?: (fraction: number) => void;
  /** A timing fitted once and shared by several replays of the same traffic (the plan). */
  timing?: TimingModel;
};

/** Why a model is timed from the profile table: no calls, or too few the fit can use. */
function whyProfile(thin: ThinModel | undefined): string {
  if (!thin) return "has no calls in this window";
  const usable = `${thin.usable} successful call${thin.usable === 1 ? "" : "s"} not served from the response cache`;
  const all = thin.calls === thin.usable ? "" : ` (of ${thin.calls} calls)`;
  return `has only ${usable} in this window${all}, and the fit needs ${MIN_FIT_SAMPLES}`;
}

const notEnough = (n: number) => `not enough data: ${n} request${n === 1 ? "" : "s"}, ${MIN_REQUESTS_PER_ROUTE} needed`;

/** (backtest − measured) / measured; null where either is unknown or measured is 0. */
export function relativeError(backtest: Figures, measured: Figures): BacktestError {
  const out = {} as BacktestError;
  for (const m of TRUST_METRICS) {
    const b = backtest[m];
    const a = measured[m];
    out[m] = b === null || a === null || a === 0 ? null : (b - a) / a;
  }
  return out;
}

/**
 * The what-if: replays the window under the live policy (the backtest, compared with what was
 * measured: its error is the prediction's trust) and under the candidate, per route and overall.
 * A group with fewer than MIN_REQUESTS_PER_ROUTE calls gets "not enough data", never a figure.
 */
export async function runReplay(input: RunReplayInput): Promise<ReplayAnswer> {
  const started = performance.now();
  const { traffic } = input;
  const timing = input.timing ?? fitTimings(traffic);
  const measured = recordedMeasures(traffic);
  const idxAll: number[] = [];
  const byRoute = new Map<number, number[]>();
  for (let i = 0; i < traffic.llm.length; i++) {
    if (!measured.include(i)) continue;
    idxAll.push(i);
    const r = traffic.llm.route[i]!;
    let list = byRoute.get(r);
    if (!list) byRoute.set(r, (list = []));
    list.push(i);
  }
  const recordedUnpriced = (i: number) => traffic.llm.unpriced[i] === 1;
  const enough = idxAll.length >= MIN_REQUESTS_PER_ROUTE;
  let backtest: EventPredictions | null = null;
  let predicted: EventPredictions | null = null;
  if (enough) {
    const progress = (offset: number) => (f: number) => input.onProgress?.(offset + f / 2);
    const common = { traffic, live: input.live, prices: input.prices, timing, seed: input.seed ?? 1, ...(input.signal ? { signal: input.signal } : {}) };
    backtest = await simulate({ ...common, candidate: input.live, onProgress: progress(0) });
    predicted = await simulate({ ...common, candidate: input.candidate, ...(input.code ? { code: input.code } : {}), onProgress: progress(0.5) });
  }
  const group = (route: string | null, idx: number[]): ReplayGroup => {
    const m = figuresOf(measured, idx, recordedUnpriced);
    if (!backtest || !predicted || idx.length < MIN_REQUESTS_PER_ROUTE) return { route, notEnoughData: notEnough(idx.length), measured: m, backtest: null, predicted: null, backtestError: null };
    const b = figuresOf(predictedMeasures(backtest), idx, (i) => Number.isNaN(backtest!.costNanoUsd[i]!));
    const p = figuresOf(predictedMeasures(predicted), idx, (i) => Number.isNaN(predicted!.costNanoUsd[i]!));
    return { route, notEnoughData: null, measured: m, backtest: b, predicted: p, backtestError: relativeError(b, m) };
  };
  const routes = [...byRoute]
    .map(([code, idx]) => group(decode(traffic.routes, code), idx))
    .sort((a, b) => b.measured.requests - a.measured.requests);
  const overall = group(null, idxAll);
  const notes: string[] = [];
  for (const t of timing.all()) {
    if (t.source === "profile") {
      const f = t.speedFactor ?? 1;
      notes.push(`${t.model} ${whyProfile(timing.thin.get(t.model))}: it is timed from the simulator's profile table${f !== 1 ? `, scaled ×${f.toPrecision(2)} to this traffic's observed speed` : ""} (${Math.round(t.baseMs)} ms base, ${Math.round(1000 / t.msPerOutputToken)} tokens/s), not from traffic.`);
    } else {
      if (t.speedSource === "table") notes.push(`${t.model}: no call streamed and every call asked for about the same length, so its output speed (${Math.round(1000 / t.msPerOutputToken)} tokens/s) is the profile table's, scaled to how fast its calls ran; its TTFT is the rest of the time.`);
      if (t.cacheReadSource === "table") notes.push(`${t.model}: no call read the prompt cache, so a cache read is timed at the profile table's ${t.cacheReadMsPer1k.toPrecision(2)} ms per 1K tokens (scaled as its prefill is).`);
    }
  }
  const unpriced = new Set([...(overall.predicted?.unpricedModels ?? []), ...overall.measured.unpricedModels]);
  if (unpriced.size > 0) notes.push(`No price for ${[...unpriced].join(", ")}: cost per request is left out where those models serve. Add their prices on the pricing page.`);
  return {
    from: new Date(traffic.fromMs).toISOString(),
    to: new Date(traffic.toMs).toISOString(),
    requests: idxAll.length,
    notEnoughData: enough ? null : notEnough(idxAll.length),
    overall,
    routes,
    timing: timing.all(),
    notes,
    elapsedMs: performance.now() - started,
  };
}
