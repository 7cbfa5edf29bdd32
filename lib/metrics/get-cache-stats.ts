import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import type { PriceBook } from "../pricing/compute-cost";
import { getPriceBook } from "../pricing/price-queries";
import { scopeFiltersOf, promptCacheHitRate, responseCacheHitRate } from "./get-summary";
import { nanoToUsdRounded, ratio } from "./money";
import { queryWatermarks } from "./rollup-seal";
import { querySums, withoutAbsentExclusions, type SumsRow } from "./rollup-query";
import type { SummaryParams } from "./schemas";
import { planSegments, resolveRange } from "./time-range";

export type RouteCacheStats = {
  route: string;
  hits: number;
  misses: number;
  bypass: number;
  hitRate: number | null;
  /** What the hits would have cost as misses (at the route's average miss), minus what they cost. */
  savedUsd: number | null;
  savedNanoUsd: string | null;
  /** Time the hits saved against the route's average miss latency. */
  savedMs: number | null;
};

export type ModelPromptCacheStats = {
  model: string;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  hitRate: number | null;
  /** Against sending the same prompts uncached, at the model's current prices; null when unpriced. */
  savingsUsd: number | null;
  savingsNanoUsd: string | null;
};

export type CacheStats = {
  from: string;
  to: string;
  responseCache: { hits: number; misses: number; bypass: number; hitRate: number | null; savedUsd: number; savedNanoUsd: string; savedMs: number; byRoute: RouteCacheStats[] };
  promptCache: {
    inputTokens: number;
    cacheReadTokens: number;
    cacheWrite5mTokens: number;
    cacheWrite1hTokens: number;
    hitRate: number | null;
    savingsUsd: number;
    savingsNanoUsd: string;
    byModel: ModelPromptCacheStats[];
  };
};

export function routeSavings(r: Pick<SumsRow, "rcHits" | "rcMisses" | "rcHitCostNano" | "rcMissCostNano" | "rcHitLatencyMs" | "rcMissLatencyMs">): { nano: bigint | null; ms: number | null } {
  if (r.rcMisses === 0 || r.rcHits === 0) return { nano: r.rcHits === 0 ? 0n : null, ms: r.rcHits === 0 ? 0 : null };
  const nano = (BigInt(r.rcHits) * r.rcMissCostNano) / BigInt(r.rcMisses) - r.rcHitCostNano;
  const ms = (r.rcHits * r.rcMissLatencyMs) / r.rcMisses - r.rcHitLatencyMs;
  return { nano, ms };
}

/**
 * Prompt caching against none: reads saved (input - read rate) per token, writes cost a premium
 * (write rate - input) per token. Exact in nano-USD.
 */
export function promptCacheSavings(book: PriceBook, model: string, at: Date, s: Pick<SumsRow, "cacheReadTokens" | "cacheWrite5mTokens" | "cacheWrite1hTokens">): bigint | null {
  const price = model ? book.find(model, at, 0) : undefined;
  if (!price) return null;
  const input = BigInt(price.inputNano);
  return (
    BigInt(s.cacheReadTokens) * (input - BigInt(price.cacheReadNano)) -
    BigInt(s.cacheWrite5mTokens) * (BigInt(price.cacheWrite5mNano) - input) -
    BigInt(s.cacheWrite1hTokens) * (BigInt(price.cacheWrite1hNano) - input)
  );
}

export async function getCacheStats(db: Db, projectId: string, params: SummaryParams, nowMs = Date.now()): Promise<CacheStats> {
  const range = resolveRange(params, nowMs);
  const marks = await queryWatermarks(db);
  const base = await withoutAbsentExclusions(db, { projectId, kind: params.kind, ...scopeFiltersOf(params), segments: planSegments(range, marks) });
  const [byRoute, byModel, book] = await Promise.all([
    querySums(db, { ...base, groupBy: "route" }, { g2: sql`r.route` }),
    querySums(db, { ...base, groupBy: "model" }, { g2: sql`r.model` }),
    getPriceBook(db, projectId),
  ]);

  let savedNano = 0n;
  let savedMs = 0;
  const routes: RouteCacheStats[] = byRoute
    .filter((r) => r.rcHits + r.rcMisses + r.rcBypass > 0)
    .map((r) => {
      const saved = routeSavings(r);
      if (saved.nano !== null) savedNano += saved.nano;
      if (saved.ms !== null) savedMs += saved.ms;
      return {
        route: r.g2,
        hits: r.rcHits,
        misses: r.rcMisses,
        bypass: r.rcBypass,
        hitRate: responseCacheHitRate(r),
        savedUsd: saved.nano === null ? null : nanoToUsdRounded(saved.nano),
        savedNanoUsd: saved.nano === null ? null : saved.nano.toString(),
        savedMs: saved.ms,
      };
    })
    .sort((a, b) => b.hits + b.misses + b.bypass - (a.hits + a.misses + a.bypass));

  const at = new Date(range.toMs);
  let savingsNano = 0n;
  const models: ModelPromptCacheStats[] = byModel
    .map((r) => {
      const savings = promptCacheSavings(book, r.g2, at, r);
      if (savings !== null) savingsNano += savings;
      return {
        model: r.g2,
        inputTokens: r.inputTokens,
        cacheReadTokens: r.cacheReadTokens,
        cacheWrite5mTokens: r.cacheWrite5mTokens,
        cacheWrite1hTokens: r.cacheWrite1hTokens,
        hitRate: promptCacheHitRate(r),
        savingsUsd: savings === null ? null : nanoToUsdRounded(savings),
        savingsNanoUsd: savings === null ? null : savings.toString(),
      };
    })
    .sort((a, b) => b.cacheReadTokens - a.cacheReadTokens);

  const sum = (rows: SumsRow[], k: "rcHits" | "rcMisses" | "rcBypass" | "inputTokens" | "cacheReadTokens" | "cacheWrite5mTokens" | "cacheWrite1hTokens") =>
    rows.reduce((s, r) => s + r[k], 0);
  const hits = sum(byRoute, "rcHits");
  const misses = sum(byRoute, "rcMisses");
  const prompt = {
    inputTokens: sum(byModel, "inputTokens"),
    cacheReadTokens: sum(byModel, "cacheReadTokens"),
    cacheWrite5mTokens: sum(byModel, "cacheWrite5mTokens"),
    cacheWrite1hTokens: sum(byModel, "cacheWrite1hTokens"),
  };
  return {
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
    responseCache: {
      hits,
      misses,
      bypass: sum(byRoute, "rcBypass"),
      hitRate: ratio(hits, hits + misses),
      savedUsd: nanoToUsdRounded(savedNano),
      savedNanoUsd: savedNano.toString(),
      savedMs,
      byRoute: routes,
    },
    promptCache: {
      ...prompt,
      hitRate: promptCacheHitRate(prompt),
      savingsUsd: nanoToUsdRounded(savingsNano),
      savingsNanoUsd: savingsNano.toString(),
      byModel: models,
    },
  };
}
