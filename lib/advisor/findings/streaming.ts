import { profileFor } from "../../simulator/latency-profiles";
import type { Finding } from "../finding-schema";
import { beforeOf, confidenceOf, examples, impactOf, isHit, memo, MIN_AFFECTED, MIN_AFFECTED_SHARE, pct, perModel, recordedTimings, share, type FindingContext, type RouteGroup } from "./route-groups";
import { isNonInteractive } from "./batch";

/**
 * Past about a second of waiting with nothing on screen users notice (Nielsen's 1 s limit); a reply
 * whose generation takes that long at the model's output speed is a long output.
 */
export const LONG_GENERATION_MS = 1000;

/**
 * Streaming opportunity on an interactive route: calls not streamed whose output takes a second or
 * more to generate. Streamed, the wait a user sees would be the TTFT instead of the whole call;
 * the TTFT is the call's latency less its generation time at the output speed measured on this
 * project's streamed calls of the model (else the simulator's table). Saves no money.
 */
export function streamingFinding(ctx: FindingContext, g: RouteGroup): Finding | null {
  const traffic = ctx.traffic;
  const t = traffic.llm;
  if (g.rows.some((i) => isNonInteractive(traffic, i))) return null;
  const speeds = memo(ctx, "speeds", () => measuredSpeeds(ctx));
  const affected: number[] = [];
  const n = g.rows.length;
  // By position in g.rows; NaN: not affected.
  const generationMs = new Float64Array(n).fill(Number.NaN);
  let fromTables = false;
  for (let k = 0; k < n; k++) {
    const i = g.rows[k]!;
    if (t.streamed[i]) continue;
    const tableSpeed = perModel(ctx, "profile", t.model[i]!, (m) => profileFor(m)).outputTokensPerSec;
    const gen = (t.outputTokens[i]! / tableSpeed) * 1000;
    if (gen < LONG_GENERATION_MS) continue;
    affected.push(i);
    const measured = speeds.get(t.model[i]!);
    if (measured === undefined) fromTables = true;
    generationMs[k] = Math.min(t.latencyMs[i]!, (t.outputTokens[i]! / (measured ?? tableSpeed)) * 1000);
  }
  if (affected.length < MIN_AFFECTED || share(affected.length, n) < MIN_AFFECTED_SHARE) return null;
  const before = beforeOf(ctx, g);
  const after = recordedTimings(traffic, g.rows);
  g.rows.forEach((i, k) => {
    const gen = generationMs[k]!;
    if (!Number.isNaN(gen)) after.perceived[k] = Math.max(0, t.latencyMs[i]! - gen);
  });
  const impact = impactOf(before, after, 0, ctx, n);
  const rate = share(affected.length, n);
  return {
    kind: "streaming",
    route: g.route,
    agent: g.agent,
    title: `${pct(rate)} of ${g.route ?? "unrouted"} requests wait for long replies without streaming`,
    recommendation: `Stream these replies: users would see the first token after about ${Math.round(impact.perceivedMs)} ms less waiting on average. Total latency and cost stay the same.`,
    evidence: {
      requests: n,
      affected: affected.length,
      rate,
      ...examples(traffic, affected),
      details: { longGenerationMs: LONG_GENERATION_MS, speedSource: fromTables ? "simulator output speed table" : "this project's streamed calls" },
    },
    impact,
    confidence: confidenceOf(affected.length, fromTables),
  };
}

/** Output tokens per second per model code, from this project's streamed calls (latency after the first token). */
function measuredSpeeds(ctx: FindingContext): Map<number, number> {
  const t = ctx.traffic.llm;
  const sums = new Map<number, { tokens: number; ms: number; n: number }>();
  for (let i = 0; i < t.length; i++) {
    if (!t.streamed[i] || !Number.isFinite(t.ttftMs[i]!) || t.outputTokens[i]! < 20 || isHit(ctx.traffic, i)) continue;
    const ms = t.latencyMs[i]! - t.ttftMs[i]!;
    if (ms <= 0) continue;
    const s = sums.get(t.model[i]!) ?? { tokens: 0, ms: 0, n: 0 };
    s.tokens += t.outputTokens[i]!;
    s.ms += ms;
    s.n++;
    sums.set(t.model[i]!, s);
  }
  const out = new Map<number, number>();
  for (const [m, s] of sums) if (s.n >= 30) out.set(m, (s.tokens / s.ms) * 1000);
  return out;
}
