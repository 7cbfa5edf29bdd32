import type { CacheMatch, CachePolicy, ResponseCacheScope } from "./cache-policy-schema";
import { compilePatterns, compileTags, patternsMatch, tagsHold, type PatternSet, type TagSet } from "./field-matchers";

// Pure, as plan-route.ts: schemas as types only, so the SDK resolves TTLs with this very code.

export type CacheFacts = {
  route?: string | null;
  /** The served model, after routing. */
  model: string;
  tags: Readonly<Record<string, string>>;
  /** The end user (metadata.user_id); a "user"-scoped rule cannot apply without one. */
  userId?: string | null;
};

export type CacheDecision = {
  /** 0 = do not read or write the response cache. */
  ttlSec: number;
  scope: ResponseCacheScope;
  /** The matched rule; absent when the default applied. */
  ruleId?: string;
  /** Set when a rule asked for caching but it cannot apply to this request. */
  offReason?: "no_user";
};

export type CacheMatchField = "route" | "model" | "tags";

type CompiledCacheMatch = { readonly route: PatternSet | null; readonly model: PatternSet | null; readonly tags: TagSet | null };

// Compiled once per match object, i.e. per stored policy version (see plan-route.ts).
const COMPILED = new WeakMap<CacheMatch, CompiledCacheMatch>();

function compiledMatch(m: CacheMatch): CompiledCacheMatch {
  let c = COMPILED.get(m);
  if (c === undefined) {
    c = {
      route: m.route !== undefined ? compilePatterns(m.route) : null,
      model: m.model !== undefined ? compilePatterns(m.model) : null,
      tags: m.tags && Object.keys(m.tags).length > 0 ? compileTags(m.tags) : null,
    };
    COMPILED.set(m, c);
  }
  return c;
}

/** The first field of `match` the request fails, or null on a match (shared with the dry-run). */
export function cacheMismatch(match: CacheMatch, facts: CacheFacts): CacheMatchField | null {
  const m = compiledMatch(match);
  if (m.route !== null && (facts.route == null || !patternsMatch(m.route, facts.route))) return "route";
  if (m.model !== null && !patternsMatch(m.model, facts.model)) return "model";
  if (m.tags !== null && !tagsHold(m.tags, facts.tags)) return "tags";
  return null;
}

/**
 * First matching rule wins; the policy default otherwise. A "user"-scoped setting on a request
 * without a user id turns caching off rather than widening it to the whole project.
 */
export function resolveCacheRule(policy: CachePolicy, facts: CacheFacts): CacheDecision {
  let decision: CacheDecision = { ttlSec: policy.default.ttlSec, scope: policy.default.scope };
  for (const rule of policy.rules) {
    if (cacheMismatch(rule.match, facts) !== null) continue;
    decision = { ttlSec: rule.ttlSec, scope: rule.scope, ruleId: rule.id };
    break;
  }
  if (decision.scope === "user" && decision.ttlSec > 0 && !facts.userId) return { ...decision, ttlSec: 0, offReason: "no_user" };
  return decision;
}

/**
 * The TTL one call gets: its rule's, unless the caller asked for one (x-pitwall-cache-ttl), which
 * may only lower it unless the policy lets callers choose (clientTtl "any"). A "user"-scoped rule
 * stays off without a user, whatever was asked. The gateway serves calls by it and the advisor's
 * replay replays them by it.
 */
export function callCacheTtl(policy: CachePolicy, decision: CacheDecision, askedTtlSec: number | null, userId: string | null | undefined): number {
  const ttlSec = askedTtlSec === null ? decision.ttlSec : policy.clientTtl === "any" ? askedTtlSec : Math.min(askedTtlSec, decision.ttlSec);
  return decision.scope === "user" && !userId ? 0 : ttlSec;
}
