import type { ActivePolicies } from "../policies/active-policies";
import { applyRoutePlan } from "../policies/apply-route-plan";
import { estimateRequestTokens } from "../policies/estimate-tokens";
import { planRoute, routingNeedsInputTokens, type RouteFacts, type RoutePlan } from "../policies/plan-route";
import type { RoutingPolicy } from "../policies/routing-policy-schema";
import { callCacheTtl, resolveCacheRule, type CacheFacts } from "../policies/resolve-cache-rule";
import { responseCacheKey } from "../response-cache/cache-key";
import type { ResponseCacheStatus } from "../events/event-enums";
import type { GatewayHints } from "./gateway-headers";

type Json = Record<string, unknown>;

export type CacheUse = {
  /** Look the answer up before calling upstream. */
  read: boolean;
  /** Store a complete successful answer. */
  write: boolean;
  ttlSec: number;
  /** What the event records when the cache is not read (bypass: the client asked; none: off). */
  statusIfUnread: Exclude<ResponseCacheStatus, "hit" | "miss">;
  /** The key for the body as sent with `model` (a fallback's answer is stored under its own). */
  keyFor: (model: string) => string;
};

export type RoutedRequest = {
  plan: RoutePlan;
  /** The body after routing, with plan.model; the original object when nothing changed. */
  body: Json;
  /** False when the client's bytes can be forwarded as they are. */
  changed: boolean;
  promptCachingAdded: string[];
  maxTokensCapped: boolean;
  cache: CacheUse;
  userId: string | null;
};

/** What planRoute is told about a request (shared by the gateway and the policy dry-run). */
export function routeFacts(request: Json, hints: Pick<GatewayHints, "route" | "agent" | "tags" | "sessionId">, routing: RoutingPolicy): RouteFacts {
  return {
    route: hints.route,
    agent: hints.agent,
    tags: hints.tags,
    requestedModel: request.model as string,
    // Serializing a large prompt costs time on the hot path: only when a rule looks at its size.
    estimatedInputTokens: routingNeedsInputTokens(routing) ? estimateRequestTokens(request) : 0,
    hasTools: Array.isArray(request.tools) && request.tools.length > 0,
    messageCount: (request.messages as unknown[]).length,
    sessionId: hints.sessionId,
  };
}

/** What the response-cache resolver is told, once routing chose `model`. */
export function cacheFacts(request: Json, hints: Pick<GatewayHints, "route" | "tags">, model: string): CacheFacts {
  const metadataUser = (request.metadata as { user_id?: unknown } | undefined)?.user_id;
  const userId = typeof metadataUser === "string" && metadataUser !== "" ? metadataUser : null;
  return { route: hints.route, model, tags: hints.tags, userId };
}

/**
 * Applies the project's policies to one request: the routing plan (model, max_tokens cap, prompt
 * caching, fallbacks) and the response-cache decision. `x-pitwall-cache-ttl` may lower the cache
 * policy's TTL (replace it only where the policy says clientTtl "any"); no-store turns the cache
 * off for the call, no-cache skips only the read.
 */
export function routeRequest(
  request: Json,
  hints: GatewayHints,
  policies: ActivePolicies,
  ctx: { projectId: string; anthropicBeta: string | null; anthropicVersion?: string | null },
): RoutedRequest {
  const plan = planRoute(policies.routing, routeFacts(request, hints, policies.routing), { policyVersion: policies.routingVersion });

  const { body, changed, maxTokensCapped, promptCachingAdded } = applyRoutePlan(request, plan);

  const facts = cacheFacts(request, hints, plan.model);
  const userId = facts.userId ?? null;
  const decision = resolveCacheRule(policies.cache, facts);
  // The header may only lower the policy's TTL unless the policy lets callers choose; a per-user
  // scope without a user never widens to the whole project, header or not.
  const ttlSec = callCacheTtl(policies.cache, decision, hints.cacheTtlSec, userId);
  const on = ttlSec > 0 && hints.cacheMode !== "no-store";
  const routed = body;
  const cache: CacheUse = {
    read: on && hints.cacheMode === "default",
    write: on,
    ttlSec,
    statusIfUnread: ttlSec > 0 ? "bypass" : hints.cacheMode === "default" ? "none" : "bypass",
    keyFor: (model) =>
      responseCacheKey(model === routed.model ? routed : { ...routed, model }, {
        projectId: ctx.projectId,
        userId: decision.scope === "user" ? userId : null,
        variant: ctx.anthropicBeta,
        anthropicVersion: ctx.anthropicVersion ?? null,
      }),
  };
  return { plan, body, changed, promptCachingAdded, maxTokensCapped, cache, userId };
}
