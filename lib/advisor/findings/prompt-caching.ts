import { minCacheableTokens } from "../../policies/min-cacheable-tokens";
import { profileFor } from "../../simulator/latency-profiles";
import type { Finding } from "../finding-schema";
import { decode, NONE, promptTokensAt } from "../traffic";
import { beforeOf, confidenceOf, examples, impactOf, MIN_AFFECTED, MIN_AFFECTED_SHARE, pct, perModel, recordedTimings, share, type FindingContext, type RouteGroup } from "./route-groups";

const TTL_MS = { "5m": 300_000, "1h": 3_600_000 } as const;
type Ttl = keyof typeof TTL_MS;

/** Why a call read nothing from the prompt cache; "not_requested": sent without cache_control. */
export type MissReason = "first_use" | "expired" | "prefix_changed" | "below_minimum" | "not_requested";

/**
 * Prompt-caching opportunity on one route: calls whose system prompt (same systemHash again and
 * again) is at or above the model's minimum cacheable length, sent with no cache read or write.
 * With the TTL refreshed on each read, a call hits when the gap since the previous call with the
 * same prefix is within the TTL: P(gap <= TTL). Each TTL's saving weighs its write price (1.25x
 * for 5 min, 2x for 1 h, from the price table) against the reads (0.1x); the better one is advised.
 */
export function promptCachingFinding(ctx: FindingContext, g: RouteGroup): Finding | null {
  const traffic = ctx.traffic;
  const t = traffic.llm;
  const n = g.rows.length;
  const uncached: number[] = [];
  // Positions in g.rows of the uncached calls, and each row's gap since the previous call with its prefix (NaN: none).
  const uncachedAt: number[] = [];
  const gapAt = new Float64Array(n).fill(Number.NaN);
  const reasons: Record<MissReason, number> = { first_use: 0, expired: 0, prefix_changed: 0, below_minimum: 0, not_requested: 0 };
  const missExamples: { eventId: string; reason: MissReason; gapMs?: number }[] = [];
  const lastBySystem = new Map<number, number>();
  let lastSystem = NONE;
  for (let k = 0; k < n; k++) {
    const i = g.rows[k]!;
    const sys = t.systemHash[i]!;
    const cached = t.cacheReadTokens[i]! + t.cacheWrite5mTokens[i]! + t.cacheWrite1hTokens[i]! > 0;
    const minimum = perModel(ctx, "minCacheable", t.model[i]!, (m) => minCacheableTokens(m));
    const tokens = t.systemTokens[i]!;
    const prev = sys === NONE ? undefined : lastBySystem.get(sys);
    if (prev !== undefined) gapAt[k] = t.tsMs[i]! - prev;
    if (sys !== NONE && tokens !== NONE && !cached && tokens >= minimum) {
      uncached.push(i);
      uncachedAt.push(k);
    }
    if (t.cacheReadTokens[i] === 0 && sys !== NONE && tokens !== NONE) {
      // Why this call read nothing from the cache.
      const reason = missReason({ tokens, minimum, gapMs: prev === undefined ? undefined : t.tsMs[i]! - prev, prefixChanged: lastSystem !== NONE && lastSystem !== sys, wrote: cached, wrote1h: t.cacheWrite1hTokens[i]! > 0 });
      reasons[reason]++;
      if (missExamples.length < 10) missExamples.push({ eventId: t.id.at(i)!, reason, ...(reason === "expired" ? { gapMs: Math.round(t.tsMs[i]! - prev!) } : {}) });
    }
    if (sys !== NONE) {
      lastBySystem.set(sys, t.tsMs[i]!);
      lastSystem = sys;
    }
  }
  const repeated = uncachedAt.filter((k) => !Number.isNaN(gapAt[k]!));
  if (repeated.length < MIN_AFFECTED || share(uncached.length, n) < MIN_AFFECTED_SHARE) return null;

  // Per TTL: which uncached calls would read (gap within the TTL) and what the system prompt costs.
  // Each call's price row is looked up once for both TTLs.
  const prices = uncached.map((i) => ctx.prices.find(decode(traffic.models, t.model[i]!) ?? "", new Date(t.tsMs[i]!), promptTokensAt(t, i)));
  const options = (["5m", "1h"] as const).map((ttl) => {
    let hits = 0;
    let savedNano = 0;
    let unpriced = 0;
    for (let u = 0; u < uncached.length; u++) {
      const i = uncached[u]!;
      const price = prices[u];
      if (!price) {
        unpriced++;
        continue;
      }
      const sys = t.systemTokens[i]!;
      const gap = gapAt[uncachedAt[u]!]!;
      const hit = !Number.isNaN(gap) && gap <= TTL_MS[ttl];
      if (hit) hits++;
      const now = sys * price.inputNano;
      const then = hit ? sys * price.cacheReadNano : sys * (ttl === "5m" ? price.cacheWrite5mNano : price.cacheWrite1hNano);
      savedNano += now - then;
    }
    return { ttl, hitProbability: share(hits, uncached.length), savedNano, unpriced, hits };
  });
  const best = options.reduce((a, b) => (b.savedNano > a.savedNano ? b : a));
  const chosen: Ttl = best.ttl;

  // TTFT: a read skips the prefill of the system prompt, at the model's prefill rate (simulator tables).
  const before = beforeOf(ctx, g);
  const after = recordedTimings(traffic, g.rows);
  for (const k of uncachedAt) {
    const i = g.rows[k]!;
    const gap = gapAt[k]!;
    if (Number.isNaN(gap) || gap > TTL_MS[chosen]) continue;
    const p = perModel(ctx, "profile", t.model[i]!, (m) => profileFor(m));
    const savedMs = (t.systemTokens[i]! / 1000) * (p.prefillMsPer1k - p.cacheReadMsPer1k);
    after.latency[k] = Math.max(0, after.latency[k]! - savedMs);
    if (Number.isFinite(after.ttft[k]!)) after.ttft[k] = Math.max(0, after.ttft[k]! - savedMs);
    after.perceived[k] = Math.max(0, after.perceived[k]! - savedMs);
  }
  const impact = impactOf(before, after, Math.max(0, best.savedNano), ctx, n);
  const rate = share(uncached.length, n);
  const priced = best.unpriced === 0;
  return {
    kind: "prompt_caching",
    route: g.route,
    agent: g.agent,
    title: `${pct(rate)} of ${g.route ?? "unrouted"} requests send a cacheable system prompt without cache_control`,
    recommendation:
      best.savedNano > 0
        ? `Turn on prompt caching with the ${chosen === "5m" ? "5-minute" : "1-hour"} TTL: ${pct(best.hitProbability)} of these calls come within ${chosen} of the previous one with the same prefix, so they would read the cache.${priced ? "" : " Some calls have no price: their cost is not counted."}`
        : `Repeats are too far apart for either TTL to pay for its writes; prompt caching would save time to first token only where calls come closer together.`,
    evidence: {
      requests: n,
      affected: uncached.length,
      rate,
      ...examples(traffic, uncached),
      details: {
        recommendedTtl: chosen,
        options: options.map((o) => ({ ttl: o.ttl, hitProbability: o.hitProbability, usdSavedInWindow: o.savedNano / 1e9 })),
        gapHistogramSec: gapHistogram(gapsSec(gapAt)),
        missReasons: reasons,
        missExamples,
        ttftSource: "simulator prefill tables (lib/simulator/latency-profiles.ts)",
        priced,
      },
    },
    impact,
    confidence: confidenceOf(repeated.length, true),
  };
}

/**
 * Why one call missed: below the model's minimum; the first call with this prefix (or the
 * route's prefix changed since the last call); the previous same-prefix call longer ago than the
 * TTL it wrote with; or, within reach, no cache_control at all.
 */
export function missReason(c: { tokens: number; minimum: number; gapMs: number | undefined; prefixChanged: boolean; wrote: boolean; wrote1h: boolean }): MissReason {
  if (c.tokens < c.minimum) return "below_minimum";
  if (c.gapMs === undefined) return c.prefixChanged ? "prefix_changed" : "first_use";
  const ttl = c.wrote1h ? TTL_MS["1h"] : TTL_MS["5m"];
  if (c.gapMs > ttl) return "expired";
  return c.wrote ? "prefix_changed" : "not_requested";
}

/** The gaps that exist (not NaN), in seconds, in row order. */
function gapsSec(gapAt: Float64Array): number[] {
  const out: number[] = [];
  for (const ms of gapAt) if (!Number.isNaN(ms)) out.push(ms / 1000);
  return out;
}

function gapHistogram(gapsSec: number[]): { upToSec: number; count: number }[] {
  const edges = [10, 30, 60, 120, 300, 600, 1800, 3600, 7200, Infinity];
  const counts = edges.map(() => 0);
  for (const v of gapsSec) counts[edges.findIndex((e) => v <= e)]!++;
  return edges.map((upToSec, k) => ({ upToSec: Number.isFinite(upToSec) ? upToSec : -1, count: counts[k]! }));
}
