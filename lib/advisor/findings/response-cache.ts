import type { Finding } from "../finding-schema";
import { callCacheTtl, resolveCacheRule } from "../../policies/resolve-cache-rule";
import { decode, NONE, refusesCacheWrite, skipsCacheRead } from "../traffic";
import { beforeOf, confidenceOf, examples, hashScratch, impactOf, isHit, memo, MIN_AFFECTED, MIN_AFFECTED_SHARE, pct, recordedTimings, share, type FindingContext, type RouteGroup } from "./route-groups";

/** The TTLs the curve is drawn at, in seconds (30 s to a day). */
export const TTL_GRID_SEC = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 21_600, 43_200, 86_400] as const;
/** The knee: the shortest TTL that reaches this share of the day-long TTL's hit rate. */
export const KNEE_FRACTION = 0.9;
/** What a hit costs in time when the route has none recorded to measure (a cache read in the gateway). */
const HIT_LATENCY_MS = 5;

/**
 * Hit rate of a response cache whose entry lives `ttlMs` from its write (a hit does not extend
 * it), replaying the calls' prompt hashes in time order: the empirical intervals, not the Poisson
 * λT/(1+λT) form, so bursts and daily rhythms count as they happened.
 */
export function hitRateAtTtl(ctx: FindingContext, rows: number[], ttlMs: number): { hits: number; hitRows: number[] } {
  const hitRows: number[] = [];
  const hits = replayTtl(ctx, rows, ttlMs, hitRows);
  return { hits, hitRows };
}

/** hitRateAtTtl's count, pushing the hit rows onto `hitRows` when given. */
export function replayTtl(ctx: FindingContext, rows: readonly number[], ttlMs: number, hitRows: number[] | null): number {
  const t = ctx.traffic.llm;
  const written = hashScratch(ctx);
  written.begin();
  let hits = 0;
  for (const i of rows) {
    const h = t.promptHash[i]!;
    if (h === NONE) continue;
    // As the gateway serves it: a caller's no-cache reads nothing but stores its answer; no-store or a TTL of 0 asked does neither.
    if (!skipsCacheRead(t, i) && written.has(h) && t.tsMs[i]! - written.value[h]! <= ttlMs) {
      hits++;
      hitRows?.push(i);
    } else if (!refusesCacheWrite(t, i)) written.set(h, t.tsMs[i]!);
  }
  return hits;
}

/**
 * replayTtl's count at each TTL of `ttlsMs`, in one pass over the rows (13 passes were the largest
 * part of the findings in a 1M-call profile). Whether a hash has an entry does not depend on the
 * TTL: its first request the cache may store misses and writes at every TTL. So one "seen" per
 * hash, and per hash and TTL the time of the entry's write, side by side in one array.
 */
export function hitsAtTtls(ctx: FindingContext, rows: readonly number[], ttlsMs: readonly number[]): number[] {
  const t = ctx.traffic.llm;
  const k = ttlsMs.length;
  const seen = hashScratch(ctx);
  const size = seen.value.length;
  const written = memo(ctx, `ttlWrites${k}`, () => new Float64Array(size * k));
  const hits = new Array<number>(k).fill(0);
  seen.begin();
  for (const i of rows) {
    const h = t.promptHash[i]!;
    if (h === NONE) continue;
    const ts = t.tsMs[i]!;
    const stores = !refusesCacheWrite(t, i);
    const base = h * k;
    if (!seen.has(h)) {
      if (!stores) continue;
      seen.set(h, 0);
      for (let j = 0; j < k; j++) written[base + j] = ts;
      continue;
    }
    const reads = !skipsCacheRead(t, i);
    for (let j = 0; j < k; j++) {
      if (reads && ts - written[base + j]! <= ttlsMs[j]!) hits[j]!++;
      else if (stores) written[base + j] = ts;
    }
  }
  return hits;
}

/**
 * Response-cache opportunity on one route: the share of requests whose promptHash an earlier
 * request of the route already sent (the repeat share), the hit-rate-vs-TTL curve, and the
 * recommended TTL at its knee. Impact at that TTL: a hit costs nothing and answers in a few ms.
 */
export function responseCacheFinding(ctx: FindingContext, g: RouteGroup): Finding | null {
  const traffic = ctx.traffic;
  const t = traffic.llm;
  const n = g.rows.length;
  const seen = hashScratch(ctx);
  seen.begin();
  const repeats: number[] = [];
  let recordedHits = 0;
  for (const i of g.rows) {
    if (isHit(traffic, i)) recordedHits++;
    const h = t.promptHash[i]!;
    if (h === NONE) continue;
    if (seen.has(h)) repeats.push(i);
    else seen.set(h, 1);
  }
  // Repeats the cache already answers, or whose callers skip it (no-cache, no-store, a TTL of 0 asked), are no opportunity.
  const missedRepeats = repeats.filter((i) => !isHit(traffic, i) && !skipsCacheRead(t, i));
  if (missedRepeats.length < MIN_AFFECTED || share(missedRepeats.length, n) < MIN_AFFECTED_SHARE) return null;

  const hitsByTtl = hitsAtTtls(
    ctx,
    g.rows,
    TTL_GRID_SEC.map((ttlSec) => ttlSec * 1000),
  );
  const curve = TTL_GRID_SEC.map((ttlSec, j) => ({ ttlSec, hitRate: share(hitsByTtl[j]!, n) }));
  const best = curve[curve.length - 1]!.hitRate;
  const knee = curve.find((p) => p.hitRate >= KNEE_FRACTION * best) ?? curve[curve.length - 1]!;
  // What is live already: at or past the knee there is nothing to recommend; below it, the
  // impact is what the longer TTL adds (the calls the live TTL would hit are no gain).
  const liveTtlSec = liveTtlOf(ctx, g);
  if (liveTtlSec >= knee.ttlSec) return null;
  const liveHits = liveTtlSec > 0 ? hitRateAtTtl(ctx, g.rows, liveTtlSec * 1000).hitRows : [];
  const liveHitRate = share(liveHits.length, n);
  const { hitRows } = hitRateAtTtl(ctx, g.rows, knee.ttlSec * 1000);
  const liveHitSet = new Set(liveHits);
  const newHits = hitRows.filter((i) => !isHit(traffic, i) && !liveHitSet.has(i));

  // Re-request intervals: from each repeat to the previous request of the same prompt.
  const last = hashScratch(ctx);
  last.begin();
  const intervalsSec: number[] = [];
  for (const i of g.rows) {
    const h = t.promptHash[i]!;
    if (h === NONE) continue;
    if (last.has(h)) intervalsSec.push((t.tsMs[i]! - last.value[h]!) / 1000);
    last.set(h, t.tsMs[i]!);
  }

  const before = beforeOf(ctx, g);
  const after = recordedTimings(traffic, g.rows);
  // newHits are in row order, a subsequence of g.rows: walked alongside instead of a Set.
  let next = 0;
  let savedNano = 0;
  let unpricedHits = 0;
  g.rows.forEach((i, k) => {
    if (newHits[next] !== i) return;
    next++;
    after.latency[k] = HIT_LATENCY_MS;
    after.ttft[k] = Number.isFinite(before.ttft[k]!) ? HIT_LATENCY_MS : Number.NaN;
    after.perceived[k] = HIT_LATENCY_MS;
    if (t.unpriced[i]) unpricedHits++;
    else savedNano += t.costNano[i]!;
  });
  const impact = impactOf(before, after, savedNano, ctx, n);
  const rate = share(repeats.length, n);
  const priced = unpricedHits === 0;
  const ttlText = formatTtl(knee.ttlSec);
  return {
    kind: "response_cache",
    route: g.route,
    agent: g.agent,
    title: `${pct(rate)} of ${g.route ?? "unrouted"} requests repeat an earlier prompt exactly`,
    recommendation: `${
      liveTtlSec > 0
        ? `A TTL of ${formatTtl(liveTtlSec)} is live on this route (${pct(liveHitRate)} of requests would be hits at it); raising it to ${ttlText} would make ${pct(knee.hitRate)} hits`
        : `Cache responses on this route with a TTL of ${ttlText}: ${pct(knee.hitRate)} of requests would be hits`
    } (${pct(best)} at a day). Answers up to ${ttlText} old would be served; pick a shorter TTL if they go stale sooner.${priced ? "" : " Some calls have no price: their cost is not counted."}`,
    evidence: {
      requests: n,
      affected: repeats.length,
      rate,
      ...examples(traffic, missedRepeats),
      details: {
        recordedHits,
        missedRepeats: missedRepeats.length,
        ttlCurve: curve,
        recommendedTtlSec: knee.ttlSec,
        hitRateAtRecommended: knee.hitRate,
        liveTtlSec,
        hitRateAtLive: liveHitRate,
        intervalHistogram: histogram(intervalsSec),
        staleness: `A cached answer can be up to ${ttlText} old when served.`,
        priced,
      },
    },
    impact,
    confidence: confidenceOf(repeats.length),
  };
}

/**
 * The live TTL on this route: the one most of its calls got (the rule can depend on the served
 * model, tags and whether a user id is sent, and the caller's x-pitwall-cache-ttl can lower it or,
 * under clientTtl "any", choose it; one resolution per distinct combination). 0 when nothing is live.
 */
function liveTtlOf(ctx: FindingContext, g: RouteGroup): number {
  const policy = ctx.liveCache;
  if (!policy) return 0;
  const t = ctx.traffic.llm;
  const byFacts = new Map<string, number>();
  const votes = new Map<number, number>();
  for (const i of g.rows) {
    const asked = t.requestedCacheTtlSec[i]! === NONE ? null : t.requestedCacheTtlSec[i]!;
    const key = `${t.model[i]}|${t.tagSet[i]}|${t.user[i] === NONE ? 0 : 1}|${asked}`;
    let ttl = byFacts.get(key);
    if (ttl === undefined) {
      const userId = t.user[i] === NONE ? null : "user";
      const rule = resolveCacheRule(policy, { route: g.route, model: decode(ctx.traffic.models, t.model[i]!) ?? "", tags: ctx.traffic.tags[t.tagSet[i]!] ?? {}, userId });
      // As the gateway serves it: the caller's x-pitwall-cache-ttl within what the policy allows.
      ttl = callCacheTtl(policy, rule, asked, userId);
      byFacts.set(key, ttl);
    }
    votes.set(ttl, (votes.get(ttl) ?? 0) + 1);
  }
  let ttl = 0;
  let most = 0;
  for (const [v, c] of votes) if (c > most) [ttl, most] = [v, c];
  return ttl;
}

/** Re-request intervals in log-spaced bins (seconds): what the TTL curve is built from, drawn as a histogram. */
export function histogram(valuesSec: number[]): { upToSec: number; count: number }[] {
  const edges = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600, 86_400, Infinity];
  const counts = edges.map(() => 0);
  for (const v of valuesSec) counts[edges.findIndex((e) => v <= e)]!++;
  return edges.map((upToSec, k) => ({ upToSec: Number.isFinite(upToSec) ? upToSec : -1, count: counts[k]! }));
}

export function formatTtl(sec: number): string {
  if (sec < 60) return `${sec} s`;
  if (sec < 3600) return `${Math.round(sec / 60)} min`;
  return `${Math.round(sec / 3600)} h`;
}
