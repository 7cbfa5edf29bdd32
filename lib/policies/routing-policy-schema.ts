import { z } from "zod";
import { storableText } from "../safe-text";
import { checkUniqueRuleIds, Description, IntRange, MAX_RULES, ModelId, ModelPattern, NamePattern, RuleId, TagMatch } from "./policy-fields";

/**
 * The routing policy: which model serves a request and how the gateway treats it. Ordered rules,
 * first match wins; a request no rule matches gets `default`, which is pass-through when empty.
 */

export const PROMPT_CACHE_TTLS = ["5m", "1h"] as const;
export type PromptCacheTtl = (typeof PROMPT_CACHE_TTLS)[number];

export const MAX_RETRY_BUDGET_MS = 120_000;
export { DEFAULT_RETRY_BUDGET_MS } from "./routing-defaults";

export const RoutingMatch = z.strictObject({
  /** x-pitwall-route */
  route: NamePattern.optional(),
  /** x-pitwall-agent */
  agent: NamePattern.optional(),
  /** x-pitwall-tags; all listed k=v must be present. */
  tags: TagMatch.optional(),
  /** The model the client asked for: exact id or glob such as `claude-opus-*`. */
  requestedModel: ModelPattern.optional(),
  /** Estimated prompt tokens (~4 characters per token), inclusive bounds. */
  inputTokens: IntRange.optional(),
  /** true: the request offers tools; false: it offers none. */
  hasTools: z.boolean().optional(),
  /** Number of entries in `messages`, inclusive bounds. */
  messageCount: IntRange.optional(),
});
export type RoutingMatch = z.infer<typeof RoutingMatch>;

export const SplitArm = z.strictObject({
  model: ModelId,
  weight: z.number().int("must be a whole number").min(0).max(100),
});
export type SplitArm = z.infer<typeof SplitArm>;

/** A canary: arms drawn by weight (summing to 100); sticky keeps a session on one arm. */
export const Split = z
  .strictObject({
    arms: z.array(SplitArm).min(1).max(10),
    sticky: z.boolean().default(false),
  })
  .refine((s) => s.arms.reduce((sum, a) => sum + a.weight, 0) === 100, { message: "arm weights must sum to 100", path: ["arms"] });
export type Split = z.infer<typeof Split>;

export const PromptCaching = z.strictObject({
  enabled: z.boolean(),
  ttl: z.enum(PROMPT_CACHE_TTLS).default("5m"),
});
export type PromptCaching = z.infer<typeof PromptCaching>;

export const RoutingAction = z
  .strictObject({
    /** Serve with this model instead of the requested one. */
    model: ModelId.optional(),
    split: Split.optional(),
    /**
     * Tried in order when the previous attempt fails with 429/529/5xx/timeout before the first
     * byte. A spend-limit 429 is never retried. Repeat a model to retry it after retry-after.
     */
    fallbacks: z.array(ModelId).max(5).optional(),
    /** Total time the gateway may spend on retries, waits included. */
    retryBudgetMs: z.number().int().min(0).max(MAX_RETRY_BUDGET_MS).optional(),
    /** max_tokens is lowered to this when the request asks for more. */
    maxTokensCap: z.number().int().min(1).max(1_000_000).optional(),
    promptCaching: PromptCaching.optional(),
  })
  .refine((a) => !(a.model && a.split), { message: "use either model or split, not both", path: ["split"] });
export type RoutingAction = z.infer<typeof RoutingAction>;

export const RoutingRule = z.strictObject({
  id: RuleId,
  description: Description.optional(),
  /** An empty match matches every request. */
  match: RoutingMatch.default({}),
  action: RoutingAction,
});
export type RoutingRule = z.infer<typeof RoutingRule>;

export const RoutingPolicy = z
  .strictObject({
    rules: z.array(RoutingRule).max(MAX_RULES, `at most ${MAX_RULES} rules`).default([]),
    default: RoutingAction.default({}),
    /** Minimum cacheable prompt length per model glob, overriding the built-in table. */
    promptCachingMinTokens: z.record(z.string().min(1).max(128).superRefine(storableText), z.number().int().min(1).max(1_000_000)).optional(),
  })
  .superRefine((p, ctx) => checkUniqueRuleIds(p.rules, ctx));
export type RoutingPolicy = z.infer<typeof RoutingPolicy>;
/** What a document looks like before defaults are filled in (what an editor writes). */
export type RoutingPolicyInput = z.input<typeof RoutingPolicy>;

export const EMPTY_ROUTING_POLICY: RoutingPolicy = { rules: [], default: {} };
