import { costNanoUsd, type PriceRow } from "../../pricing/compute-cost";
import { modelFamily } from "../../pricing/model-family";
import { encodeConfig } from "../../playground/url-state";
import { medianTtftMs, profileFor } from "../../simulator/latency-profiles";
import type { Finding } from "../finding-schema";
import { decode, promptTokensAt, STATUS_CODE } from "../traffic";
import { beforeOf, confidenceOf, examples, impactOf, isHit, memo, MIN_AFFECTED, median, pct, recordedTimings, round, share, unpricedShare, type FindingContext, type RouteGroup } from "./route-groups";

/** Short and simple, as the reference case means it: under 1K prompt tokens and under 100 output tokens. */
export const SHORT_PROMPT_TOKENS = 1000;
export const SHORT_OUTPUT_TOKENS = 100;
/** A route is right-sizing material when most of its calls are short and simple. */
export const MIN_SHORT_SHARE = 0.5;
/** The cheaper candidate when the project has never called a small model. */
export const DEFAULT_CANDIDATE = "claude-haiku-4-5";

const LARGE = /(opus|sonnet)/;
const SMALL = /haiku/;

/**
 * Model right-sizing: a route on a large model (Sonnet, Opus) where most calls are short in and
 * out. The candidate is the small model this project already calls (its observed latency on
 * short calls and its price), else Haiku from the price table and the simulator's speed table.
 * Quality is not measured here: the finding links a playground experiment with both models side
 * by side to check it.
 */
export function modelRightSizingFinding(ctx: FindingContext, g: RouteGroup): Finding | null {
  const traffic = ctx.traffic;
  const t = traffic.llm;
  const model = decode(traffic.models, modelCode(ctx, g))!;
  if (!model || !LARGE.test(modelFamily(model))) return null;
  const short = g.rows.filter((i) => promptTokensAt(t, i) < SHORT_PROMPT_TOKENS && t.outputTokens[i]! < SHORT_OUTPUT_TOKENS);
  const n = g.rows.length;
  if (short.length < MIN_AFFECTED || share(short.length, n) < MIN_SHORT_SHARE) return null;
  const observed = memo(ctx, "smallModel", () => observedSmallModel(ctx));
  const candidate = observed?.model ?? DEFAULT_CANDIDATE;
  const fromTables = !observed;

  // Cost: the same usage at the candidate's price in force at the call's time.
  let savedNano = 0;
  let unpriced = 0;
  const before = beforeOf(ctx, g);
  const after = recordedTimings(traffic, g.rows);
  const shortSet = new Set(short);
  const current = profileFor(model);
  const small = profileFor(candidate);
  g.rows.forEach((i, k) => {
    if (!shortSet.has(i)) return;
    const usage = { inputTokens: t.inputTokens[i]!, outputTokens: t.outputTokens[i]!, cacheReadTokens: t.cacheReadTokens[i]!, cacheWrite5mTokens: t.cacheWrite5mTokens[i]!, cacheWrite1hTokens: t.cacheWrite1hTokens[i]! };
    const price: PriceRow | undefined = ctx.prices.find(candidate, new Date(t.tsMs[i]!), promptTokensAt(t, i));
    if (price && !t.unpriced[i]) savedNano += t.costNano[i]! - Number(costNanoUsd(price, usage));
    else unpriced++;
    // Latency: the candidate's observed short-call latency, else the recorded one scaled by the
    // two models' table timings (a ratio, so a compressed simulation stays compressed).
    const ratioOf = (p: typeof current) => medianTtftMs(p, usage) + (usage.outputTokens / p.outputTokensPerSec) * 1000;
    const ttftRatio = medianTtftMs(small, usage) / medianTtftMs(current, usage);
    after.latency[k] = observed ? observed.latencyP50 : before.latency[k]! * (ratioOf(small) / ratioOf(current));
    after.ttft[k] = Number.isFinite(before.ttft[k]!) ? (observed?.ttftP50 ?? before.ttft[k]! * ttftRatio) : Number.NaN;
    after.perceived[k] = t.streamed[i] ? after.ttft[k]! : after.latency[k]!;
  });
  const impact = impactOf(before, after, Math.max(0, savedNano), ctx, n);
  const rate = share(short.length, n);
  const priced = unpriced === 0 && unpricedShare(traffic, short) === 0;
  const playgroundPath = playgroundLink(ctx.projectSlug, g.route, model, candidate);
  return {
    kind: "model_right_sizing",
    route: g.route,
    agent: g.agent,
    title: `${pct(rate)} of ${g.route ?? "unrouted"} requests are short and simple on ${model}`,
    recommendation: `Route the short calls (under ${SHORT_PROMPT_TOKENS} prompt and ${SHORT_OUTPUT_TOKENS} output tokens) to ${candidate}. Verify quality in the playground first.${priced ? "" : ` No price for ${candidate} or ${model} on some calls: their cost is not counted.`}`,
    evidence: {
      requests: n,
      affected: short.length,
      rate,
      ...examples(traffic, short),
      details: {
        currentModel: model,
        candidateModel: candidate,
        maxInputTokens: SHORT_PROMPT_TOKENS,
        candidateSource: observed ? "this project's calls to the model" : "price table and simulator speed table",
        candidateLatencyP50Ms: observed ? round(observed.latencyP50) : null,
        candidateCostPerRequestUsd: observed ? observed.costPerRequestUsd : null,
        currentLatencyP50Ms: round(median(short.map((i) => t.latencyMs[i]!))),
        playgroundPath,
        verify: "verify quality in the playground",
        priced,
      },
    },
    impact,
    confidence: confidenceOf(short.length, fromTables),
  };
}

function modelCode(ctx: FindingContext, g: RouteGroup): number {
  const counts = new Map<number, number>();
  for (const i of g.rows) counts.set(ctx.traffic.llm.model[i]!, (counts.get(ctx.traffic.llm.model[i]!) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}

/** The small model this project calls most on short calls, with its measured figures (30+ calls), or null. */
function observedSmallModel(ctx: FindingContext): { model: string; latencyP50: number; ttftP50: number | undefined; costPerRequestUsd: number } | null {
  const t = ctx.traffic.llm;
  const byModel = new Map<number, number[]>();
  const small = ctx.traffic.models.values.map((m) => SMALL.test(modelFamily(m)));
  for (let i = 0; i < t.length; i++) {
    // A response-cache hit never reached the model: its few ms are not the model's speed.
    if (t.model[i] === -1 || !small[t.model[i]!] || t.status[i] !== STATUS_CODE.ok || isHit(ctx.traffic, i)) continue;
    if (promptTokensAt(t, i) >= SHORT_PROMPT_TOKENS || t.outputTokens[i]! >= SHORT_OUTPUT_TOKENS) continue;
    const list = byModel.get(t.model[i]!) ?? [];
    list.push(i);
    byModel.set(t.model[i]!, list);
  }
  const best = [...byModel.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  if (!best || best[1].length < 30) return null;
  const rows = best[1];
  const ttfts = rows.map((i) => t.ttftMs[i]!).filter(Number.isFinite);
  return {
    model: ctx.traffic.models.values[best[0]]!,
    latencyP50: median(rows.map((i) => t.latencyMs[i]!)),
    ttftP50: ttfts.length ? median(ttfts) : undefined,
    costPerRequestUsd: rows.reduce((s, i) => s + t.costNano[i]!, 0) / rows.length / 1e9,
  };
}

/** A prepared playground experiment: the current model and the candidate side by side. */
export function playgroundLink(projectSlug: string, route: string | null, current: string, candidate: string): string {
  const config = {
    panes: [
      { name: "current", model: current, maxTokens: 1024 },
      { name: "candidate", model: candidate, maxTokens: 1024 },
    ],
    prompt: `Paste a typical ${route ?? "request"} prompt here and run both panes.`,
  };
  return `/p/${encodeURIComponent(projectSlug)}/playground?c=${encodeConfig(config)}`;
}
