import { z } from "zod";
import { checkUniqueRuleIds, Description, MAX_RULES, ModelPattern, NamePattern, RuleId, TagMatch } from "./policy-fields";

/**
 * The cache policy: how long the gateway keeps a complete response for an exact repeat, and who
 * may share it. First matching rule wins; `default` applies otherwise (off unless set).
 */

export const RESPONSE_CACHE_SCOPES = ["project", "user"] as const;
export type ResponseCacheScope = (typeof RESPONSE_CACHE_SCOPES)[number];

/** 30 days: longer than any sane answer-reuse window, short enough that stores stay bounded. */
export const MAX_RESPONSE_CACHE_TTL_SEC = 30 * 24 * 3600;

export const CLIENT_TTL_MODES = ["lower", "any"] as const;
export type ClientTtlMode = (typeof CLIENT_TTL_MODES)[number];

export const CacheSetting = z.strictObject({
  /** Seconds a response may be reused; 0 turns the cache off. */
  ttlSec: z.number().int("must be a whole number of seconds").min(0).max(MAX_RESPONSE_CACHE_TTL_SEC),
  /** project: any caller of the project shares entries; user: only the same end user (metadata.user_id). */
  scope: z.enum(RESPONSE_CACHE_SCOPES).default("project"),
});
export type CacheSetting = z.infer<typeof CacheSetting>;

export const CacheMatch = z.strictObject({
  route: NamePattern.optional(),
  /** The model that serves the request, after routing. */
  model: ModelPattern.optional(),
  tags: TagMatch.optional(),
});
export type CacheMatch = z.infer<typeof CacheMatch>;

export const CacheRule = CacheSetting.extend({
  id: RuleId,
  description: Description.optional(),
  match: CacheMatch.default({}),
});
export type CacheRule = z.infer<typeof CacheRule>;

export const CachePolicy = z
  .strictObject({
    rules: z.array(CacheRule).max(MAX_RULES, `at most ${MAX_RULES} rules`).default([]),
    default: CacheSetting.default({ ttlSec: 0, scope: "project" }),
    /**
     * What x-pitwall-cache-ttl may do. "lower" (the default, also when absent): only shorten the
     * TTL this policy gives, or turn the cache off with 0; a caller can never switch the cache on
     * or keep answers longer than the policy says. "any": the header replaces the policy's TTL.
     */
    clientTtl: z.enum(CLIENT_TTL_MODES, { error: 'must be "lower" or "any"' }).optional(),
  })
  .superRefine((p, ctx) => checkUniqueRuleIds(p.rules, ctx));
export type CachePolicy = z.infer<typeof CachePolicy>;
export type CachePolicyInput = z.input<typeof CachePolicy>;

export const EMPTY_CACHE_POLICY: CachePolicy = { rules: [], default: { ttlSec: 0, scope: "project" } };
