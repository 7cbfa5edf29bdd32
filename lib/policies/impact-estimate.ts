import type { PolicyKind } from "@/db/schema";
import { costNanoUsd, type PriceBook, type TokenUsage } from "../pricing/compute-cost";
import type { CachePolicy } from "./cache-policy-schema";
import { minCacheableTokens } from "./min-cacheable-tokens";
import { routingMismatch, type RouteFacts } from "./plan-route";
import { cacheMismatch, callCacheTtl } from "./resolve-cache-rule";
import type { RoutingAction, RoutingPolicy } from "./routing-policy-schema";

/** What the estimator reads of one recorded call (a row of impact-queries.ts). */
export type ImpactEvent = TokenUsage & {
  ts: Date;
  route: string | null;
  agent: string | null;
  tags: Record<string, string>;
  requestedModel: string | null;
  model: string | null;
  userId: string | null;
  systemTokens: number | null;
  messageCount: number | null;
  toolCount: number | null;
  /** The response-cache TTL the caller asked for (x-pitwall-cache-ttl), null when none. */
  requestedCacheTtlSec: number | null;
  costNanoUsd: bigint;
};

export type RuleImpact = {
  /** null = the default (no rule matched). */
  ruleId: string | null;
  index: number | null;
  /** Requests this rule of the draft takes (scaled to the whole window when sampled). */
  requests: number;
  /** Requests the rule of the same id took under the live version. */
  liveRequests: number;
  /** Served model → expected requests (split arms by weight). */
  modelMix: Record<string, number>;
  /** What these requests cost as recorded. */
  actualCostUsd: number;
  /** What they would cost under the draft, from their tokens and the price table. */
  estimatedCostUsd: number;
  /** Requests whose model has no price row (their estimate counts as the recorded cost). */
  unpricedRequests: number;
  /** Cache rules: TTL in seconds → requests. */
  ttlMix: Record<string, number>;
};

export type ImpactResult = {
  kind: PolicyKind;
  rules: RuleImpact[];
  total: Omit<RuleImpact, "ruleId" | "index">;
};

type Acc = { requests: number; live: number; mix: Map<string, number>; actual: bigint; estimated: number; unpriced: number; ttl: Map<number, number> };
const acc = (): Acc => ({ requests: 0, live: 0, mix: new Map(), actual: 0n, estimated: 0, unpriced: 0, ttl: new Map() });
const add = <K>(m: Map<K, number>, k: K, n: number) => m.set(k, (m.get(k) ?? 0) + n);

function factsOf(e: ImpactEvent): RouteFacts {
  return {
    route: e.route,
    agent: e.agent,
    tags: e.tags,
    requestedModel: e.requestedModel ?? e.model ?? "",
    // Recorded prompts are counted exactly; the gateway's estimate of the same prompt is close to it.
    estimatedInputTokens: e.inputTokens + e.cacheReadTokens + e.cacheWrite5mTokens + e.cacheWrite1hTokens,
    hasTools: (e.toolCount ?? 0) > 0,
    messageCount: e.messageCount ?? 1,
  };
}

function firstRouting(policy: RoutingPolicy, facts: RouteFacts): number {
  for (let i = 0; i < policy.rules.length; i++) if (routingMismatch(policy.rules[i]!.match, facts) === null) return i;
  return -1;
}

/**
 * The event's tokens as the draft would bill them on `model`. Prompt caching the draft turns on
 * moves a system prompt long enough to cache from input to cache reads (steady state: the prefix
 * is warm); the event's own cache tokens, which the client or the live policy caused, stay.
 */
function usageUnder(e: ImpactEvent, action: RoutingAction, model: string, policy: RoutingPolicy): TokenUsage {
  const usage: TokenUsage = {
    inputTokens: e.inputTokens,
    outputTokens: Math.min(e.outputTokens, action.maxTokensCap ?? Number.MAX_SAFE_INTEGER),
    cacheReadTokens: e.cacheReadTokens,
    cacheWrite5mTokens: e.cacheWrite5mTokens,
    cacheWrite1hTokens: e.cacheWrite1hTokens,
  };
  const prefix = e.systemTokens ?? 0;
  const alreadyCached = e.cacheReadTokens + e.cacheWrite5mTokens + e.cacheWrite1hTokens > 0;
  if (action.promptCaching?.enabled && !alreadyCached && prefix > 0 && prefix >= minCacheableTokens(model, policy.promptCachingMinTokens) && prefix <= usage.inputTokens) {
    usage.inputTokens -= prefix;
    usage.cacheReadTokens += prefix;
  }
  return usage;
}

function priceNano(prices: PriceBook, model: string, usage: TokenUsage, at: Date): bigint | null {
  const row = prices.find(model, at, usage.inputTokens + usage.cacheReadTokens + usage.cacheWrite5mTokens + usage.cacheWrite1hTokens);
  return row ? costNanoUsd(row, usage) : null;
}

const nanoUsd = (n: number) => Math.round(n) / 1e9;

function present(a: Acc, scale: number): Omit<RuleImpact, "ruleId" | "index"> {
  const scaled = (n: number) => (scale === 1 ? n : Math.round(n * scale));
  return {
    requests: scaled(a.requests),
    liveRequests: scaled(a.live),
    modelMix: Object.fromEntries([...a.mix].sort((x, y) => y[1] - x[1]).map(([m, n]) => [m, Math.round(n * scale * 100) / 100])),
    actualCostUsd: nanoUsd(Number(a.actual) * scale),
    estimatedCostUsd: nanoUsd(a.estimated * scale),
    unpricedRequests: scaled(a.unpriced),
    ttlMix: Object.fromEntries([...a.ttl].sort((x, y) => x[0] - y[0]).map(([t, n]) => [String(t), scaled(n)])),
  };
}

/**
 * Runs `draft` and `live` over recorded events with the gateway's own match functions and
 * prices the outcome. `scale` multiplies every count and sum (total / sample size when the events
 * are a sample). Split arms are counted by expected share (weight / 100), not by a random draw.
 */
export function estimateImpact(
  kind: PolicyKind,
  draft: RoutingPolicy | CachePolicy,
  live: RoutingPolicy | CachePolicy,
  events: Iterable<ImpactEvent>,
  prices: PriceBook,
  scale = 1,
): ImpactResult {
  const rules = draft.rules as { id: string }[];
  const per = rules.map(() => acc());
  const byDefault = acc();
  const liveIndexOf = new Map(rules.map((r, i) => [r.id, i]));
  let liveDefault = 0;
  const total = acc();

  for (const e of events) {
    if (kind === "routing") {
      const d = draft as RoutingPolicy;
      const l = live as RoutingPolicy;
      const facts = factsOf(e);
      const i = firstRouting(d, facts);
      const li = firstRouting(l, facts);
      const liveId = li >= 0 ? l.rules[li]!.id : null;
      const liveTarget = liveId !== null ? liveIndexOf.get(liveId) : undefined;
      if (liveTarget !== undefined) per[liveTarget]!.live++;
      else if (liveId === null) liveDefault++;
      const a = i >= 0 ? per[i]! : byDefault;
      const action = i >= 0 ? d.rules[i]!.action : d.default;
      a.requests++;
      total.requests++;
      a.actual += e.costNanoUsd;
      total.actual += e.costNanoUsd;
      const arms = action.split ? action.split.arms.map((arm) => ({ model: arm.model, share: arm.weight / 100 })) : [{ model: action.model ?? facts.requestedModel, share: 1 }];
      for (const arm of arms) {
        if (arm.share === 0) continue;
        add(a.mix, arm.model, arm.share);
        add(total.mix, arm.model, arm.share);
        const nano = priceNano(prices, arm.model, usageUnder(e, action, arm.model, d), e.ts);
        // Unpriced: keep what the call cost, so a missing price row never reads as a saving.
        const est = nano === null ? Number(e.costNanoUsd) * arm.share : Number(nano) * arm.share;
        a.estimated += est;
        total.estimated += est;
        if (nano === null) {
          a.unpriced += arm.share;
          total.unpriced += arm.share;
        }
      }
    } else {
      const d = draft as CachePolicy;
      const l = live as CachePolicy;
      const facts = { route: e.route, model: e.model ?? e.requestedModel ?? "", tags: e.tags, userId: e.userId };
      const pick = (p: CachePolicy) => p.rules.findIndex((r) => cacheMismatch(r.match, facts) === null);
      const i = pick(d);
      const li = pick(l);
      const liveTarget = li >= 0 ? liveIndexOf.get(l.rules[li]!.id) : undefined;
      if (liveTarget !== undefined) per[liveTarget]!.live++;
      else if (li < 0) liveDefault++;
      const setting = i >= 0 ? d.rules[i]! : d.default;
      // As the gateway resolves it: the caller's header within what the draft allows, a user-scoped setting without a user id off.
      const ttl = callCacheTtl(d, setting, e.requestedCacheTtlSec, facts.userId);
      const a = i >= 0 ? per[i]! : byDefault;
      a.requests++;
      total.requests++;
      a.actual += e.costNanoUsd;
      total.actual += e.costNanoUsd;
      a.estimated += Number(e.costNanoUsd);
      total.estimated += Number(e.costNanoUsd);
      add(a.ttl, ttl, 1);
      add(total.ttl, ttl, 1);
      if (facts.model) {
        add(a.mix, facts.model, 1);
        add(total.mix, facts.model, 1);
      }
    }
  }
  byDefault.live = liveDefault;
  total.live = total.requests;
  return {
    kind,
    rules: [...rules.map((r, i) => ({ ruleId: r.id, index: i, ...present(per[i]!, scale) })), { ruleId: null, index: null, ...present(byDefault, scale) }],
    total: present(total, scale),
  };
}
