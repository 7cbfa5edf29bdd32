import { profileFor } from "../../simulator/latency-profiles";
import { RESPONSE_CACHE_CODE, STATUS_CODE, type LlmCalls, type Traffic } from "../traffic";
import type { z } from "zod";
import type { ModelTimingView } from "./replay-schema";
import { leastSquares, robustLinearFit } from "./robust-fit";

/** One model's timing: the replay schema's view is its one definition. */
export type ModelTiming = z.infer<typeof ModelTimingView>;

/** Below this many model calls a fit is noise; the profile table stands in and the answer says so. */
export const MIN_FIT_SAMPLES = 20;

/** A fit on 20K calls is as good as on a million and keeps the 1M-event analysis within budget. */
const MAX_FIT_SAMPLES = 20_000;

function evenSample(idx: number[], max: number): number[] {
  if (idx.length <= max) return idx;
  const step = idx.length / max;
  return Array.from({ length: max }, (_, k) => idx[Math.floor(k * step)]!);
}

/** Calls of a model in the window too few to fit: all of them, and those the fit could use. */
export type ThinModel = { calls: number; usable: number };

export class TimingModel {
  private readonly byModel = new Map<string, ModelTiming>();
  /** Models with calls in the window, too few to fit (see MIN_FIT_SAMPLES). */
  readonly thin: ReadonlyMap<string, ThinModel>;
  constructor(fitted: ModelTiming[], thin: ReadonlyMap<string, ThinModel> = new Map()) {
    for (const t of fitted) this.byModel.set(t.model, t);
    this.thin = thin;
  }
  /** The fitted timing, or the profile table's for a model the traffic never called or called too little. */
  of(model: string): ModelTiming {
    let t = this.byModel.get(model);
    if (!t) {
      t = { ...scaled(profileTiming(model), this.speedFactor()), samples: this.thin.get(model)?.usable ?? 0 };
      this.byModel.set(model, t);
    }
    return t;
  }

  /**
   * How this traffic's fitted models compare with their own profiles (median ratio of a typical
   * call's time): a profile stands in for a model without traffic at the same relative speed, so
   * a deployment slower or faster than the table (or a simulator at a latency scale) stays coherent.
   * 1 when no model has traffic.
   */
  private speedFactor(): number {
    if (this.factor === undefined) {
      const typical = (t: ModelTiming) => latencyOf(t, 2000, 0, 200);
      const ratios = [...this.byModel.values()].filter((t) => t.source === "traffic").map((t) => typical(t) / typical(profileTiming(t.model)));
      this.factor = median(ratios) ?? 1;
    }
    return this.factor;
  }
  private factor: number | undefined;
  all(): ModelTiming[] {
    return [...this.byModel.values()].sort((a, b) => a.model.localeCompare(b.model));
  }
}

export function ttftOf(t: ModelTiming, uncachedTokens: number, cacheReadTokens: number): number {
  return t.baseMs + (t.prefillMsPer1k * uncachedTokens) / 1000 + (t.cacheReadMsPer1k * cacheReadTokens) / 1000;
}

export function latencyOf(t: ModelTiming, uncachedTokens: number, cacheReadTokens: number, outputTokens: number): number {
  return ttftOf(t, uncachedTokens, cacheReadTokens) + t.msPerOutputToken * outputTokens;
}

function scaled(t: ModelTiming, factor: number): ModelTiming {
  return { ...t, speedFactor: factor, baseMs: t.baseMs * factor, prefillMsPer1k: t.prefillMsPer1k * factor, cacheReadMsPer1k: t.cacheReadMsPer1k * factor, msPerOutputToken: t.msPerOutputToken * factor };
}

/** The simulator's published profile for a model with no traffic of its own. */
export function profileTiming(model: string): ModelTiming {
  const p = profileFor(model);
  return {
    model,
    source: "profile",
    samples: 0,
    baseMs: p.ttftBaseMs,
    prefillMsPer1k: p.prefillMsPer1k,
    cacheReadMsPer1k: p.cacheReadMsPer1k,
    msPerOutputToken: 1000 / p.outputTokensPerSec,
  };
}

/**
 * Fits each model's timing from its calls in the window (successful, not served from the
 * response cache). Streamed calls carry a TTFT: it is regressed on uncached and cache-read tokens
 * (Huber-weighted least squares, so a few stalls do not drag the line), and the output speed is
 * the median of (total − TTFT) / output tokens. Without streamed calls the total latency is
 * regressed on the same tokens plus output tokens, when the output length varies enough to tell
 * its slope apart (else see `speedSource: "table"`). Coefficients are kept non-negative.
 */
export function fitTimings(traffic: Traffic): TimingModel {
  const rows = new Map<number, number[]>();
  const calls = new Map<number, number>();
  const t = traffic.llm;
  for (let i = 0; i < t.length; i++) {
    calls.set(t.model[i]!, (calls.get(t.model[i]!) ?? 0) + 1);
    if (t.status[i] !== STATUS_CODE.ok || t.responseCache[i] === RESPONSE_CACHE_CODE.hit) continue;
    const m = t.model[i]!;
    if (m < 0 || !Number.isFinite(t.latencyMs[i]!)) continue;
    let list = rows.get(m);
    if (!list) rows.set(m, (list = []));
    list.push(i);
  }
  const fitted: ModelTiming[] = [];
  const thin = new Map<string, ThinModel>();
  for (const [code, n] of calls) {
    if (code < 0) continue;
    const model = traffic.models.values[code]!;
    const idx = rows.get(code) ?? [];
    if (idx.length < MIN_FIT_SAMPLES) thin.set(model, { calls: n, usable: idx.length });
    else fitted.push({ ...fitModel(t, model, evenSample(idx, MAX_FIT_SAMPLES)), samples: idx.length });
  }
  return new TimingModel(fitted, thin);
}

function fitModel(t: LlmCalls, model: string, idx: number[]): ModelTiming {
  const fit = fitSlopes(t, model, idx);
  if (idx.some((i) => t.cacheReadTokens[i]! > 0)) return { ...fit, cacheReadSource: "fit" };
  // No call read the prompt cache, so the window can't show what a read costs, and a regression
  // would call it free: take the table's read cost in the proportion this model's fitted prefill
  // bears to the table's (a candidate that turns prompt caching on is then timed like the rest).
  const p = profileTiming(model);
  const ratio = p.prefillMsPer1k > 0 && fit.prefillMsPer1k > 0 ? fit.prefillMsPer1k / p.prefillMsPer1k : 1;
  return { ...fit, cacheReadMsPer1k: p.cacheReadMsPer1k * ratio, cacheReadSource: "table" };
}

function fitSlopes(t: LlmCalls, model: string, idx: number[]): ModelTiming {
  const uncached = (i: number) => (t.inputTokens[i]! + t.cacheWrite5mTokens[i]! + t.cacheWrite1hTokens[i]!) / 1000;
  const read = (i: number) => t.cacheReadTokens[i]! / 1000;
  const streamed = idx.filter((i) => Number.isFinite(t.ttftMs[i]!));
  if (streamed.length >= MIN_FIT_SAMPLES) {
    const [base, prefill, readMs] = robustLinearFit(
      streamed.map((i) => [1, uncached(i), read(i)]),
      streamed.map((i) => t.ttftMs[i]!),
    );
    const speeds = streamed.filter((i) => t.outputTokens[i]! > 0).map((i) => Math.max(0, t.latencyMs[i]! - t.ttftMs[i]!) / t.outputTokens[i]!);
    // Non-streamed calls share the model's speed; their own totals refine it when few streamed.
    return { model, source: "traffic", samples: idx.length, baseMs: base!, prefillMsPer1k: prefill!, cacheReadMsPer1k: readMs!, msPerOutputToken: median(speeds) ?? profileTiming(model).msPerOutputToken, speedSource: "streamed" };
  }
  const features = idx.map((i) => [1, uncached(i), read(i)]);
  const outputs = idx.map((i) => t.outputTokens[i]!);
  const totals = idx.map((i) => t.latencyMs[i]!);
  if (outputSpeedIdentified(features, outputs)) {
    const [base, prefill, readMs, perToken] = robustLinearFit(
      idx.map((i, k) => [...features[k]!, outputs[k]!]),
      totals,
    );
    return { model, source: "traffic", samples: idx.length, baseMs: base!, prefillMsPer1k: prefill!, cacheReadMsPer1k: readMs!, msPerOutputToken: perToken!, speedSource: "fit" };
  }
  // Nothing streamed and the output length never varies apart from the prompt (a route asking for
  // the same length every time): a total can't tell a slow first token from slow output, and a
  // regression would split the two at random. The table's speed, scaled by how this model's calls
  // ran against the table's prediction for them, takes the output's share; the rest is fitted.
  const profile = profileTiming(model);
  const factor = median(idx.map((i, k) => totals[k]! / latencyOf(profile, uncached(i) * 1000, read(i) * 1000, outputs[k]!))) ?? 1;
  const perToken = profile.msPerOutputToken * factor;
  const [base, prefill, readMs] = robustLinearFit(
    features,
    totals.map((y, k) => y - perToken * outputs[k]!),
  );
  return { model, source: "traffic", samples: idx.length, baseMs: base!, prefillMsPer1k: prefill!, cacheReadMsPer1k: readMs!, msPerOutputToken: perToken, speedSource: "table" };
}

/**
 * Whether output tokens vary on their own: the part of the output length the prompt columns
 * (intercept, uncached and cache-read tokens) can't explain has a spread of at least 10% of the
 * mean output. Below that the output's slope and the intercept trade off freely.
 */
function outputSpeedIdentified(features: number[][], outputs: number[]): boolean {
  const mean = outputs.reduce((a, b) => a + b, 0) / Math.max(1, outputs.length);
  if (!(mean > 0)) return false;
  const beta = leastSquares(features, outputs);
  let ss = 0;
  for (let k = 0; k < outputs.length; k++) {
    const f = features[k]!;
    let fit = 0;
    for (let j = 0; j < f.length; j++) fit += f[j]! * beta[j]!;
    ss += (outputs[k]! - fit) ** 2;
  }
  return Math.sqrt(ss / outputs.length) >= 0.1 * mean;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
