import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import type { Percentiles } from "./histogram";
import { nanoToUsdRounded, nanoToUsdString, ratio } from "./money";
import { excludedRoutes } from "./playground-filter";
import { queryWatermarks } from "./rollup-seal";
import { EMPTY_PERCENTILES, queryPercentiles, querySums, withoutAbsentExclusions, type DimFilters, type PercentileRow, type RollupScope, type SumsRow } from "./rollup-query";
import type { SummaryParams } from "./schemas";
import { planSegments, resolveRange, type TimeRange } from "./time-range";

export type ModelSummary = {
  model: string;
  requests: number;
  errors: number;
  errorRate: number | null;
  latencyMs: Percentiles;
  ttftMs: Percentiles;
  outputTokensPerSec: { p50: number | null };
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  costUsdExact: string;
  costNanoUsd: string;
  costPerRequestUsd: number | null;
  shareOfSpend: number | null;
};

export type Summary = {
  from: string;
  to: string;
  requests: number;
  errors: number;
  errorRate: number | null;
  latencyMs: Percentiles;
  latencyAvgMs: number | null;
  ttftMs: Percentiles;
  outputTokensPerSec: { p50: number | null };
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  costUsd: number;
  costUsdExact: string;
  costNanoUsd: string;
  responseCache: { hits: number; misses: number; bypass: number };
  responseCacheHitRate: number | null;
  promptCacheHitRate: number | null;
  byModel: ModelSummary[];
};

export function filtersOf(p: Pick<SummaryParams, "model" | "route" | "agent" | "status">): DimFilters {
  return { model: p.model, route: p.route, agent: p.agent, status: p.status };
}

/** The dimension filters and the routes left out (playground calls unless included) of a dashboard read. */
export function scopeFiltersOf(p: Pick<SummaryParams, "model" | "route" | "agent" | "status" | "playground">): Pick<RollupScope, "filters" | "excludeRoutes"> {
  return { filters: filtersOf(p), excludeRoutes: excludedRoutes(p) };
}

const ZERO_SUMS: Omit<SumsRow, "g1" | "g2"> = {
  requests: 0,
  errors: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  costNanoUsd: 0n,
  latencyCount: 0,
  latencySumMs: 0,
  ttftCount: 0,
  ttftSumMs: 0,
  rcHits: 0,
  rcMisses: 0,
  rcBypass: 0,
  rcHitCostNano: 0n,
  rcMissCostNano: 0n,
  rcHitLatencyMs: 0,
  rcMissLatencyMs: 0,
};

export function addSums(a: Omit<SumsRow, "g1" | "g2">, b: Omit<SumsRow, "g1" | "g2">): Omit<SumsRow, "g1" | "g2"> {
  const out = { ...a };
  for (const k of Object.keys(ZERO_SUMS) as (keyof typeof ZERO_SUMS)[]) {
    (out as Record<string, number | bigint>)[k] = (a[k] as never) + (b[k] as never);
  }
  return out;
}

/** Token-weighted: cache reads over every prompt token (input excludes cached tokens). */
export function promptCacheHitRate(s: Pick<SumsRow, "inputTokens" | "cacheReadTokens" | "cacheWrite5mTokens" | "cacheWrite1hTokens">): number | null {
  return ratio(s.cacheReadTokens, s.inputTokens + s.cacheReadTokens + s.cacheWrite5mTokens + s.cacheWrite1hTokens);
}

/** Hits over cacheable lookups (hits + misses); bypassed requests never asked the cache. */
export function responseCacheHitRate(s: Pick<SumsRow, "rcHits" | "rcMisses">): number | null {
  return ratio(s.rcHits, s.rcHits + s.rcMisses);
}

const pick = (rows: PercentileRow[], g2: string, metric: PercentileRow["metric"]) =>
  rows.find((r) => r.g2 === g2 && r.metric === metric)?.values ?? EMPTY_PERCENTILES;

export async function getSummary(db: Db, projectId: string, params: SummaryParams, nowMs = Date.now()): Promise<Summary> {
  const range = resolveRange(params, nowMs);
  return summarizeRange(db, projectId, params, range);
}

export async function summarizeRange(db: Db, projectId: string, params: SummaryParams, range: TimeRange): Promise<Summary> {
  const marks = await queryWatermarks(db);
  const base = await withoutAbsentExclusions(db, { projectId, kind: params.kind, ...scopeFiltersOf(params), segments: planSegments(range, marks) });
  const perModel: RollupScope = { ...base, groupBy: "model" };
  // Per-model rows give both the per-model figures and, merged, the totals: one read of each kind.
  const [modelSums, pct] = await Promise.all([
    querySums(db, perModel, { g2: sql`r.model` }),
    queryPercentiles(db, perModel, ["latency", "ttft", "tps"], { g2: sql`r.model` }, { withTotal: true }),
  ]);
  const totalPct = pct.filter((r) => r.total);
  const modelPct = pct.filter((r) => !r.total);

  // Totals are the exact sum of the per-model sums (one pass over the rows).
  const total = modelSums.reduce((acc, r) => addSums(acc, r), ZERO_SUMS);
  const byModel: ModelSummary[] = modelSums
    .map((r) => ({
      model: r.g2,
      requests: r.requests,
      errors: r.errors,
      errorRate: ratio(r.errors, r.requests),
      latencyMs: pick(modelPct, r.g2, "latency"),
      ttftMs: pick(modelPct, r.g2, "ttft"),
      outputTokensPerSec: { p50: pick(modelPct, r.g2, "tps").p50 },
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      cacheReadTokens: r.cacheReadTokens,
      cacheWriteTokens: r.cacheWrite5mTokens + r.cacheWrite1hTokens,
      costUsd: nanoToUsdRounded(r.costNanoUsd),
      costUsdExact: nanoToUsdString(r.costNanoUsd),
      costNanoUsd: r.costNanoUsd.toString(),
      costPerRequestUsd: r.requests > 0 ? nanoToUsdRounded(r.costNanoUsd) / r.requests : null,
      // Rounded to a millionth, from exact integers.
      shareOfSpend: total.costNanoUsd > 0n ? Number((r.costNanoUsd * 2_000_000n + total.costNanoUsd) / (2n * total.costNanoUsd)) / 1_000_000 : null,
    }))
    .sort((a, b) => (BigInt(b.costNanoUsd) > BigInt(a.costNanoUsd) ? 1 : BigInt(b.costNanoUsd) < BigInt(a.costNanoUsd) ? -1 : b.requests - a.requests));

  return {
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
    requests: total.requests,
    errors: total.errors,
    errorRate: ratio(total.errors, total.requests),
    latencyMs: pick(totalPct, "", "latency"),
    latencyAvgMs: ratio(total.latencySumMs, total.latencyCount),
    ttftMs: pick(totalPct, "", "ttft"),
    outputTokensPerSec: { p50: pick(totalPct, "", "tps").p50 },
    inputTokens: total.inputTokens,
    outputTokens: total.outputTokens,
    cacheReadTokens: total.cacheReadTokens,
    cacheWriteTokens: total.cacheWrite5mTokens + total.cacheWrite1hTokens,
    cacheWrite5mTokens: total.cacheWrite5mTokens,
    cacheWrite1hTokens: total.cacheWrite1hTokens,
    costUsd: nanoToUsdRounded(total.costNanoUsd),
    costUsdExact: nanoToUsdString(total.costNanoUsd),
    costNanoUsd: total.costNanoUsd.toString(),
    responseCache: { hits: total.rcHits, misses: total.rcMisses, bypass: total.rcBypass },
    responseCacheHitRate: responseCacheHitRate(total),
    promptCacheHitRate: promptCacheHitRate(total),
    byModel,
  };
}
