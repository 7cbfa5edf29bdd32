import { decode, RESPONSE_CACHE_CODE, STATUS_CODE, type Traffic } from "../traffic";
import { quantilesInPlace } from "../quantile";
import type { Figures } from "./replay-schema";
import type { EventPredictions } from "./simulate";

/** Per event, what the figures are computed from: the recorded measures or a replay's. */
export type Measures = {
  latencyMs: ArrayLike<number>;
  ttftMs: ArrayLike<number>;
  perceivedMs: ArrayLike<number>;
  costNanoUsd: ArrayLike<number>;
  hit: (i: number) => boolean;
  cacheReadTokens: ArrayLike<number>;
  promptTokens: ArrayLike<number>;
  model: (i: number) => string | null;
};

/** The recorded measures of the successful LLM calls: what was measured. */
export function recordedMeasures(traffic: Traffic): Measures {
  const t = traffic.llm;
  const n = t.length;
  const perceived = new Float64Array(n);
  const prompt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    perceived[i] = t.streamed[i] ? t.ttftMs[i]! : t.latencyMs[i]!;
    prompt[i] = t.inputTokens[i]! + t.cacheReadTokens[i]! + t.cacheWrite5mTokens[i]! + t.cacheWrite1hTokens[i]!;
  }
  return {
    latencyMs: t.latencyMs,
    ttftMs: t.ttftMs,
    perceivedMs: perceived,
    costNanoUsd: t.costNano,
    hit: (i) => t.responseCache[i] === RESPONSE_CACHE_CODE.hit,
    cacheReadTokens: t.cacheReadTokens,
    promptTokens: prompt,
    // A call the price table did not cover was recorded as unpriced (cost 0): not a price.
    model: (i) => decode(traffic.models, t.model[i]!),
  };
}

export function predictedMeasures(p: EventPredictions): Measures {
  return {
    latencyMs: p.latencyMs,
    ttftMs: p.ttftMs,
    perceivedMs: p.perceivedMs,
    costNanoUsd: p.costNanoUsd,
    hit: (i) => p.responseCacheHit[i] === 1,
    cacheReadTokens: p.cacheReadTokens,
    promptTokens: p.promptTokens,
    model: (i) => p.model[i] ?? null,
  };
}

/** The finite values of `values` at `idx`, in a fresh array (unsorted). */
function finiteOf(values: ArrayLike<number>, idx: readonly number[]): Float64Array {
  const out = new Float64Array(idx.length);
  let k = 0;
  for (const i of idx) {
    const v = values[i]!;
    if (Number.isFinite(v)) out[k++] = v;
  }
  return out.subarray(0, k);
}

/**
 * Which events cost per request is taken over, when not all of `idx`: the overall figures leave
 * out the routes with an unpriced call (`excludedRoutes`), so one unpriced route does not blank
 * every other route's cost.
 */
export type CostScope = { idx: readonly number[]; excludedRoutes: (string | null)[] };

/**
 * The figures of the events `idx` (already filtered by `include`). `unpricedCost` marks events
 * whose cost is not a price (NaN in a replay; recorded as unpriced in the traffic).
 */
export function figuresOf(m: Measures, idx: readonly number[], unpriced: (i: number) => boolean): Figures {
  const lat = finiteOf(m.latencyMs, idx);
  const ttft = finiteOf(m.ttftMs, idx);
  const perceived = finiteOf(m.perceivedMs, idx);
  let cost = 0;
  let hits = 0;
  let read = 0;
  let prompt = 0;
  let latSum = 0;
  let unpricedRequests = 0;
  const unpricedModels = new Set<string>();
  for (const i of idx) {
    if (unpriced(i)) {
      unpricedRequests++;
      const model = m.model(i);
      if (model) unpricedModels.add(model);
    } else cost += m.costNanoUsd[i]!;
    if (m.hit(i)) hits++;
    read += m.cacheReadTokens[i]!;
    prompt += m.promptTokens[i]!;
  }
  for (const v of lat) latSum += v;
  const n = idx.length;
  const costPerRequestUsd = n > 0 && unpricedRequests === 0 ? cost / 1e9 / n : null;
  const mean = lat.length > 0 ? latSum / lat.length : null;
  const [latencyP50Ms, latencyP95Ms] = quantilesInPlace(lat, [0.5, 0.95]);
  const [ttftP50Ms, ttftP95Ms] = quantilesInPlace(ttft, [0.5, 0.95]);
  const [perceivedP50Ms, perceivedP95Ms] = quantilesInPlace(perceived, [0.5, 0.95]);
  return {
    requests: n,
    latencyMeanMs: mean,
    latencyP50Ms: latencyP50Ms ?? null,
    latencyP95Ms: latencyP95Ms ?? null,
    ttftP50Ms: ttftP50Ms ?? null,
    ttftP95Ms: ttftP95Ms ?? null,
    perceivedP50Ms: perceivedP50Ms ?? null,
    perceivedP95Ms: perceivedP95Ms ?? null,
    costPerRequestUsd,
    costExcludedRoutes: [],
    costRequests: n,
    responseCacheHitRate: n > 0 ? hits / n : null,
    promptCacheHitRate: prompt > 0 ? read / prompt : null,
    throughputPerMin: mean !== null && mean > 0 ? 60_000 / mean : null,
    unpricedRequests,
    unpricedModels: [...unpricedModels].sort(),
  };
}

/** `f` with its cost per request taken over `scope` instead (see CostScope). */
export function withCostScope(f: Figures, m: Measures, unpriced: (i: number) => boolean, scope: CostScope): Figures {
  let scoped = 0;
  let scopedUnpriced = false;
  for (const i of scope.idx) {
    if (unpriced(i)) scopedUnpriced = true;
    else scoped += m.costNanoUsd[i]!;
  }
  return {
    ...f,
    costPerRequestUsd: scope.idx.length > 0 && !scopedUnpriced ? scoped / 1e9 / scope.idx.length : null,
    costExcludedRoutes: scope.excludedRoutes,
    costRequests: scope.idx.length,
  };
}

/** The successful calls a replay answers for, all and by route code (ascending rows). */
export type ReplayRows = { all: number[]; byRoute: Map<number, number[]> };

export function replayRows(traffic: Traffic): ReplayRows {
  const all: number[] = [];
  const byRoute = new Map<number, number[]>();
  const ok = STATUS_CODE.ok;
  for (let i = 0; i < traffic.llm.length; i++) {
    if (traffic.llm.status[i] !== ok) continue;
    all.push(i);
    const r = traffic.llm.route[i]!;
    let list = byRoute.get(r);
    if (!list) byRoute.set(r, (list = []));
    list.push(i);
  }
  return { all, byRoute };
}

/** One set of measures' figures overall and per route code, before any cost scope (the helper thread sends a pass's). */
export type PassFigures = { overall: Figures; byRoute: [number, Figures][] };

export function groupFigures(m: Measures, unpriced: (i: number) => boolean, rows: ReplayRows): PassFigures {
  return { overall: figuresOf(m, rows.all, unpriced), byRoute: [...rows.byRoute].map(([code, idx]) => [code, figuresOf(m, idx, unpriced)]) };
}

/** A pass's groupFigures (an event it could not price has a NaN cost). */
export function passFigures(p: EventPredictions, rows: ReplayRows): PassFigures {
  return groupFigures(predictedMeasures(p), (i) => Number.isNaN(p.costNanoUsd[i]!), rows);
}
