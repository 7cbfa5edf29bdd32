import type { PriceBook } from "../../pricing/compute-cost";
import { MIN_REQUESTS_PER_ROUTE } from "../finding-schema";
import { helperFor, predictionsFromMessage, startAway, type AnalysisHelper } from "../helper/analysis-helper";
import { decode, type Traffic } from "../traffic";
import { shareTraffic } from "../traffic-share";
import { groupFigures, passFigures, predictedMeasures, recordedMeasures, replayRows, withCostScope, type CostScope, type PassFigures } from "./figures";
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
  /** Runs the candidate's pass on the helper thread while this one runs the backtest (large windows). */
  helper?: AnalysisHelper;
  /** The backtest pass of an earlier replay of the same traffic, timing, live policy and seed (replayWithBacktest). */
  backtest?: EventPredictions;
};

/**
 * Why a cost per request is missing: the unpriced models and the routes they serve, which the
 * overall cost leaves out (or, when no route is fully priced, why there is none). Shared with the
 * plan, which shows it next to its figures.
 */
export function costNotes(routes: readonly ReplayGroup[], overall: ReplayGroup): string[] {
  const figures = (g: ReplayGroup) => [g.measured, g.backtest, g.predicted].filter((f): f is Figures => f !== null);
  const models = new Set(figures(overall).flatMap((f) => f.unpricedModels));
  if (models.size === 0) return [];
  const left = routes.filter((g) => figures(g).some((f) => f.unpricedRequests > 0)).map((g) => g.route ?? "unrouted");
  const priced = overall.measured.costPerRequestUsd !== null;
  const where = left.length > 0 ? ` (${left.join(", ")})` : "";
  return [
    `No price for ${[...models].sort().join(", ")}${where}: ${priced ? `cost per request leaves ${left.length === 1 ? "that route" : "those routes"} out, overall it is over the other routes' calls` : "no route is fully priced, so there is no cost per request"}. Add the price on the pricing page.`,
  ];
}

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
  return (await replayWithBacktest(input)).answer;
}

/** runReplay, and its backtest pass (null with too little data), which later replays of the same traffic, timing and live policy can reuse (the plan). */
export async function replayWithBacktest(input: RunReplayInput): Promise<{ answer: ReplayAnswer; backtest: EventPredictions | null }> {
  const started = performance.now();
  const { traffic } = input;
  const timing = input.timing ?? fitTimings(traffic);
  const measured = recordedMeasures(traffic);
  const rows = replayRows(traffic);
  const { all: idxAll, byRoute } = rows;
  const recordedUnpriced = (i: number) => traffic.llm.unpriced[i] === 1;
  const enough = idxAll.length >= MIN_REQUESTS_PER_ROUTE;
  // The candidate's pass starts first (on the helper, when there is one), then this thread runs the
  // backtest and works out the measured and backtest figures while the helper finishes.
  const candidatePass = enough ? startCandidate(input, timing) : null;
  const backtest = enough ? (input.backtest ?? (await simulate({ ...passCommon(input, timing), candidate: input.live, onProgress: candidatePass!.progress(0) }))) : null;
  const unpricedB = (i: number) => Number.isNaN(backtest!.costNanoUsd[i]!);
  const measuredFigures = byCode(groupFigures(measured, recordedUnpriced, rows));
  const backtestFigures = backtest ? byCode(passFigures(backtest, rows)) : null;
  const candidate = candidatePass ? await candidatePass.result(backtest!) : null;
  const predicted = candidate?.predictions ?? null;
  const unpricedP = (i: number) => Number.isNaN(predicted!.costNanoUsd[i]!);
  const predictedFigures = !predicted ? null : predicted === backtest ? backtestFigures : byCode(candidate!.figures ?? passFigures(predicted, rows));
  const group = (route: string | null, code: number | null, idx: number[], costScope?: CostScope): ReplayGroup => {
    const m = scoped(measuredFigures.get(code)!, measured, recordedUnpriced, costScope);
    if (!backtest || !predicted || idx.length < MIN_REQUESTS_PER_ROUTE) return { route, notEnoughData: notEnough(idx.length), measured: m, backtest: null, predicted: null, backtestError: null };
    const b = scoped(backtestFigures!.get(code)!, predictedMeasures(backtest), unpricedB, costScope);
    const p = predicted === backtest ? b : scoped(predictedFigures!.get(code)!, predictedMeasures(predicted), unpricedP, costScope);
    return { route, notEnoughData: null, measured: m, backtest: b, predicted: p, backtestError: relativeError(b, m) };
  };
  const perRoute = [...byRoute].map(([code, idx]) => ({ idx, group: group(decode(traffic.routes, code), code, idx) }));
  const routes = perRoute.map((r) => r.group).sort((a, b) => b.measured.requests - a.measured.requests);
  // Overall cost leaves out the routes with an unpriced call in what was measured or in either
  // replay (the same routes for all three, so they compare), as each route's own cost is null.
  const unpricedRoute = (g: ReplayGroup) => [g.measured, g.backtest, g.predicted].some((f) => (f?.unpricedRequests ?? 0) > 0);
  const excluded = perRoute.filter((r) => unpricedRoute(r.group));
  const overall = group(null, null, idxAll, excluded.length === 0 ? undefined : { idx: perRoute.filter((r) => !unpricedRoute(r.group)).flatMap((r) => r.idx), excludedRoutes: excluded.map((r) => r.group.route) });
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
  notes.push(...costNotes(routes, overall));
  const answer: ReplayAnswer = {
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
  return { answer, backtest };
}

/** A group's figures by route code, the overall ones under null. */
function byCode(f: PassFigures): Map<number | null, Figures> {
  return new Map<number | null, Figures>([[null, f.overall], ...f.byRoute]);
}

/** `f` with the overall cost scope applied, when there is one. */
function scoped(f: Figures, m: Parameters<typeof withCostScope>[1], unpriced: (i: number) => boolean, scope: CostScope | undefined): Figures {
  return scope ? withCostScope(f, m, unpriced, scope) : f;
}

function passCommon(input: RunReplayInput, timing: TimingModel) {
  return { traffic: input.traffic, live: input.live, prices: input.prices, timing, seed: input.seed ?? 1, ...(input.signal ? { signal: input.signal } : {}) };
}

type CandidateResult = { predictions: EventPredictions; figures?: PassFigures };

/**
 * The candidate's pass, started now. When the candidate is the live policy itself, with no code
 * change, the backtest is that pass too and nothing is started. With a helper on a large window it
 * runs there, with its figures; otherwise on this thread when its result is asked for (after the
 * backtest). `progress(k)` reports pass k's share (0 the backtest, 1 the candidate): the answer's
 * progress is the mean over the passes run (a backtest given is not run again).
 */
function startCandidate(input: RunReplayInput, timing: TimingModel): { progress: (k: 0 | 1) => (f: number) => void; result: (backtest: EventPredictions) => Promise<CandidateResult> } {
  const sameAsLive = !input.code && input.candidate.routing === input.live.routing && input.candidate.cache === input.live.cache;
  const runs = (input.backtest ? 0 : 1) + (sameAsLive ? 0 : 1);
  const done = [0, 0];
  const progress = (k: 0 | 1) => (f: number) => {
    // Never backwards: a pass the helper gave up part-way is run again here from 0.
    done[k] = Math.max(done[k]!, f);
    input.onProgress?.(runs === 0 ? 1 : (done[0]! + done[1]!) / runs);
  };
  const code = input.code ? { code: input.code } : {};
  const here = async (): Promise<CandidateResult> => ({ predictions: await simulate({ ...passCommon(input, timing), candidate: input.candidate, ...code, onProgress: progress(1) }) });
  const helper = sameAsLive ? undefined : helperFor(input.helper, input.traffic.llm.length);
  const away = helper
    ? startAway(
        () =>
          helper
            .simulate(
              shareTraffic(input.traffic),
              { kind: "simulate", live: input.live, candidate: input.candidate, ...code, priceRows: input.prices.rows, timing: { fitted: timing.all(), thin: timing.thin }, seed: input.seed ?? 1, figures: true },
              { ...(input.signal ? { signal: input.signal } : {}), onProgress: progress(1) },
            )
            .then((m): CandidateResult => {
              for (const model of m.timedModels) timing.of(model);
              return { predictions: predictionsFromMessage(m), ...(m.figures ? { figures: m.figures } : {}) };
            }),
        here,
        input.signal,
      )
    : null;
  return {
    progress,
    result: async (backtest) => {
      const r = sameAsLive ? { predictions: backtest } : away ? await away() : await here();
      input.onProgress?.(1);
      return r;
    },
  };
}
