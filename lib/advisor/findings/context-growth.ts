import { formatUsd } from "../../metrics/format";
import { profileFor } from "../../simulator/latency-profiles";
import type { Finding } from "../finding-schema";
import { decode, NONE, promptTokensAt } from "../traffic";
import { beforeOf, confidenceOf, examples, impactOf, MIN_AFFECTED, MIN_AFFECTED_SHARE, median, pct, perModel, recordedTimings, round, roundUsd, share, type FindingContext, type RouteGroup } from "./route-groups";

/** A session grows when its last turn's prompt is at least this multiple of its first. */
export const GROWTH_FACTOR = 2;
/** Turns a session needs before growth is a trend rather than a follow-up question. */
export const MIN_TURNS = 3;

/**
 * Context growth: sessions of the route whose prompt grows with each turn (the history resent).
 * Two fixes are priced, with the same N (half the median session length, at least 2):
 * - a sliding window of N turns keeps the first prompt (system and task) and the last N turns'
 *   growth, so turn k's prompt shrinks by prompt(k-N) - prompt(0) tokens;
 * - a summary at N turns replaces the history of the turns before N (prompt(N-1) - prompt(0)
 *   tokens) with a summary of S tokens from turn N on; S is the median per-turn growth (a
 *   summary about as long as one turn's exchange, an assumption: we cannot see the summariser).
 * The impact is the sliding window's. Dollars at the input price; TTFT at the model's prefill
 * rate (simulator tables).
 */
export function contextGrowthFinding(ctx: FindingContext, g: RouteGroup): Finding | null {
  const traffic = ctx.traffic;
  const t = traffic.llm;
  const sessions = new Map<number, number[]>();
  for (const i of g.rows) {
    const s = t.session[i]!;
    if (s === NONE) continue;
    const list = sessions.get(s);
    if (list) list.push(i);
    else sessions.set(s, [i]);
  }
  const growing = [...sessions.values()].filter((s) => s.length >= MIN_TURNS && promptTokensAt(t, s[s.length - 1]!) >= GROWTH_FACTOR * Math.max(1, promptTokensAt(t, s[0]!)));
  const affectedRows = growing.flat();
  const n = g.rows.length;
  if (affectedRows.length < MIN_AFFECTED || share(affectedRows.length, n) < MIN_AFFECTED_SHARE) return null;
  const turns = median(growing.map((s) => s.length));
  const windowTurns = Math.max(2, Math.ceil(turns / 2));
  const diffs: number[] = [];
  for (const s of growing) for (let k = 1; k < s.length; k++) diffs.push(promptTokensAt(t, s[k]!) - promptTokensAt(t, s[k - 1]!));
  const growthPerTurn = median(diffs);
  const summaryTokens = Math.round(growthPerTurn);
  const savedTokens = new Map<number, number>();
  let savedNano = 0;
  let summaryNano = 0;
  let unpriced = 0;
  let totalTokens = 0;
  let savedTotal = 0;
  let summaryTotal = 0;
  for (const s of growing) {
    const p = s.map((i) => promptTokensAt(t, i));
    const summarised = s.length > windowTurns ? Math.max(0, p[windowTurns - 1]! - p[0]! - summaryTokens) : 0;
    for (let k = 0; k < s.length; k++) {
      const i = s[k]!;
      totalTokens += p[k]!;
      const saved = k >= windowTurns ? Math.max(0, p[k - windowTurns]! - p[0]!) : 0;
      const bySummary = k >= windowTurns ? summarised : 0;
      if (saved === 0 && bySummary === 0) continue;
      if (saved > 0) savedTokens.set(i, saved);
      savedTotal += saved;
      summaryTotal += bySummary;
      const price = ctx.prices.find(decode(traffic.models, t.model[i]!) ?? "", new Date(t.tsMs[i]!), p[k]!);
      if (price) {
        savedNano += saved * price.inputNano;
        summaryNano += bySummary * price.inputNano;
      } else unpriced++;
    }
  }
  if (savedTotal < MIN_AFFECTED_SHARE * totalTokens) return null;
  const before = beforeOf(ctx, g);
  const after = recordedTimings(traffic, g.rows);
  g.rows.forEach((i, k) => {
    const saved = savedTokens.get(i);
    if (!saved) return;
    const ms = (saved / 1000) * perModel(ctx, "profile", t.model[i]!, (m) => profileFor(m)).prefillMsPer1k;
    after.latency[k] = Math.max(0, after.latency[k]! - ms);
    if (Number.isFinite(after.ttft[k]!)) after.ttft[k] = Math.max(0, after.ttft[k]! - ms);
    after.perceived[k] = Math.max(0, after.perceived[k]! - ms);
  });
  const impact = impactOf(before, after, savedNano, ctx, n);
  const usd = (nano: number) => formatUsd(nano / 1e9 / ctx.days);
  const rate = share(affectedRows.length, n);
  const maxContext = Math.max(...affectedRows.map((i) => promptTokensAt(t, i)));
  return {
    kind: "context_growth",
    route: g.route,
    agent: g.agent,
    title: `${g.route ?? "unrouted"} sessions grow by ${Math.round(growthPerTurn).toLocaleString("en-US")} tokens a turn, to ${Math.round(maxContext).toLocaleString("en-US")}`,
    recommendation: `Keep a sliding window of the last ${windowTurns} turns: ${pct(share(savedTotal, totalTokens))} of these sessions' input tokens would not be sent (${usd(savedNano)}/day). Or, after ${windowTurns} turns, replace the history so far with a ~${summaryTokens.toLocaleString("en-US")}-token summary: ${pct(share(summaryTotal, totalTokens))} (${usd(summaryNano)}/day).${unpriced > 0 ? " Some calls have no price: their cost is not counted." : ""}`,
    evidence: {
      requests: n,
      affected: affectedRows.length,
      rate,
      ...examples(traffic, affectedRows),
      details: {
        sessions: growing.length,
        turnsPerSession: turns,
        growthPerTurn: round(growthPerTurn),
        maxContextTokens: maxContext,
        windowTurns,
        tokensSaved: savedTotal,
        tokensSavedShare: share(savedTotal, totalTokens),
        slidingWindow: { turns: windowTurns, tokensSaved: savedTotal, tokensSavedShare: share(savedTotal, totalTokens), usdPerDay: roundUsd(savedNano / 1e9 / ctx.days) },
        summary: { atTurns: windowTurns, summaryTokens, tokensSaved: summaryTotal, tokensSavedShare: share(summaryTotal, totalTokens), usdPerDay: roundUsd(summaryNano / 1e9 / ctx.days) },
        priced: unpriced === 0,
      },
    },
    impact,
    confidence: confidenceOf(affectedRows.length, true),
  };
}
