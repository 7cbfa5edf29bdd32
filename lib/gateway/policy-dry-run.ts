import type { ActivePolicies } from "../policies/active-policies";
import { estimateRequestTokens } from "../policies/estimate-tokens";
import { routingMismatch, type RoutingMatchField } from "../policies/plan-route";
import { cacheMismatch, type CacheMatchField } from "../policies/resolve-cache-rule";
import { costNanoUsd, type PriceBook } from "../pricing/compute-cost";
import { nanoToUsdRounded } from "../metrics/money";
import { cacheFacts, routeFacts, routeRequest } from "./route-request";

/**
 * What the gateway would do with one request under a given pair of policies, explained. It runs
 * the gateway's own routeRequest (planRoute, prompt caching, the cache resolver) and the same
 * per-field match check, so the answer cannot drift from what a real call gets.
 */
export type DryRunInput = {
  request: Record<string, unknown> & { model: string; messages: unknown[]; max_tokens?: number };
  route?: string | null;
  agent?: string | null;
  tags?: Record<string, string>;
  sessionId?: string | null;
};

export type SkippedRule<F> = { ruleId: string; index: number; field: F };
export type MatchedRule = { ruleId: string; index: number; description?: string } | null;

export type CandidateCost = {
  model: string;
  /** primary: the model served; arm: a split arm (weight in %); fallback: tried after a failure. */
  role: "primary" | "arm" | "fallback";
  weight?: number;
  priced: boolean;
  /** Estimated prompt tokens at the input rate plus max_tokens at the output rate: an upper bound. */
  costUsd: number | null;
  inputCostUsd: number | null;
  outputCostUsd: number | null;
};

export type DryRunResult = {
  routing: {
    version: number | null;
    matched: MatchedRule;
    skipped: SkippedRule<RoutingMatchField>[];
    model: string;
    requestedModel: string;
    split: { model: string; weight: number }[] | null;
    sticky: boolean;
    fallbacks: string[];
    retryBudgetMs: number;
    maxTokensCap: number | null;
    maxTokens: { requested: number | null; sent: number | null; capped: boolean };
    promptCaching: { ttl: string; minTokens: number; added: string[]; system: unknown } | null;
  };
  cache: {
    version: number | null;
    matched: MatchedRule;
    skipped: SkippedRule<CacheMatchField>[];
    ttlSec: number;
    scope: "project" | "user";
    /** Set when a user-scoped rule matched but the request names no metadata.user_id. */
    offReason: string | null;
  };
  estimate: { inputTokens: number; outputTokens: number; candidates: CandidateCost[] };
};

function firstMatch<R extends { id: string; description?: string }, F>(rules: readonly R[], mismatch: (r: R) => F | null): { matched: MatchedRule; skipped: SkippedRule<F>[] } {
  const skipped: SkippedRule<F>[] = [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const field = mismatch(rule);
    if (field === null) return { matched: { ruleId: rule.id, index: i, ...(rule.description ? { description: rule.description } : {}) }, skipped };
    skipped.push({ ruleId: rule.id, index: i, field });
  }
  return { matched: null, skipped };
}

/** `versions` says which stored versions the policies are (null = an unsaved draft). */
export function dryRunRequest(
  input: DryRunInput,
  policies: ActivePolicies,
  opts: { projectId: string; prices: PriceBook; now: Date; versions: { routing: number | null; cache: number | null } },
): DryRunResult {
  const hints = {
    route: input.route ?? null,
    agent: input.agent ?? null,
    tags: input.tags ?? {},
    sessionId: input.sessionId ?? null,
    cacheTtlSec: null,
    cacheMode: "default" as const,
    traceId: null,
    parentId: null,
  };
  const routed = routeRequest(input.request, hints, policies, { projectId: opts.projectId, anthropicBeta: null });
  const plan = routed.plan;

  const facts = routeFacts(input.request, hints, policies.routing);
  // The explanation needs the size even when no rule looks at it (the gateway then skips it).
  const withTokens = { ...facts, estimatedInputTokens: estimateRequestTokens(input.request) };
  const routingExplained = firstMatch(policies.routing.rules, (r) => routingMismatch(r.match, withTokens));
  const action = routingExplained.matched ? policies.routing.rules[routingExplained.matched.index]!.action : policies.routing.default;

  const cFacts = cacheFacts(input.request, hints, plan.model);
  const cacheExplained = firstMatch(policies.cache.rules, (r) => cacheMismatch(r.match, cFacts));

  const requestedMax = typeof input.request.max_tokens === "number" ? input.request.max_tokens : null;
  const sentMax = typeof routed.body.max_tokens === "number" ? routed.body.max_tokens : null;
  const inputTokens = estimateRequestTokens(routed.body);
  const outputTokens = sentMax ?? 0;

  const price = (model: string): Omit<CandidateCost, "model" | "role" | "weight"> => {
    const row = opts.prices.find(model, opts.now, inputTokens);
    if (!row) return { priced: false, costUsd: null, inputCostUsd: null, outputCostUsd: null };
    const zero = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 };
    const inNano = costNanoUsd(row, { ...zero, inputTokens });
    const outNano = costNanoUsd(row, { ...zero, outputTokens });
    return { priced: true, costUsd: nanoToUsdRounded(inNano + outNano), inputCostUsd: nanoToUsdRounded(inNano), outputCostUsd: nanoToUsdRounded(outNano) };
  };
  const candidates: CandidateCost[] = [];
  if (action.split) {
    for (const arm of action.split.arms) candidates.push({ model: arm.model, role: "arm", weight: arm.weight, ...price(arm.model) });
  } else {
    candidates.push({ model: plan.model, role: "primary", ...price(plan.model) });
  }
  for (const model of plan.fallbacks) candidates.push({ model, role: "fallback", ...price(model) });

  return {
    routing: {
      version: opts.versions.routing,
      matched: routingExplained.matched,
      skipped: routingExplained.skipped,
      model: plan.model,
      requestedModel: input.request.model,
      split: action.split ? action.split.arms.map((a) => ({ model: a.model, weight: a.weight })) : null,
      sticky: action.split?.sticky ?? false,
      fallbacks: plan.fallbacks,
      retryBudgetMs: plan.retryBudgetMs,
      maxTokensCap: plan.maxTokensCap ?? null,
      maxTokens: { requested: requestedMax, sent: sentMax, capped: routed.maxTokensCapped },
      promptCaching: plan.promptCaching
        ? { ttl: plan.promptCaching.ttl, minTokens: plan.promptCaching.minTokens, added: routed.promptCachingAdded, system: routed.body.system ?? null }
        : null,
    },
    cache: {
      version: opts.versions.cache,
      matched: cacheExplained.matched,
      skipped: cacheExplained.skipped,
      ttlSec: routed.cache.ttlSec,
      scope: cacheExplained.matched ? policies.cache.rules[cacheExplained.matched.index]!.scope : policies.cache.default.scope,
      offReason: routed.cache.ttlSec === 0 && (cacheExplained.matched ? policies.cache.rules[cacheExplained.matched.index]!.ttlSec : policies.cache.default.ttlSec) > 0 ? "no_user" : null,
    },
    estimate: { inputTokens, outputTokens, candidates },
  };
}
