import { compilePatterns, compileRange, compileTags, patternsMatch, tagsHold, within, type PatternSet, type Range, type TagSet } from "./field-matchers";
import { minCacheableTokens } from "./min-cacheable-tokens";
import { buildRuleIndex, firstCandidate, indexable, type RuleIndex } from "./rule-index";
import { DEFAULT_RETRY_BUDGET_MS } from "./routing-defaults";
import type { PromptCacheTtl, RoutingAction, RoutingMatch, RoutingPolicy, RoutingRule, Split } from "./routing-policy-schema";
import { unitHash } from "./session-hash";

// Pure: no zod and no server code at run time (schemas are imported as types only), so the SDK
// runs the gateway's own planRoute in the agent's process.

/** What the gateway knows about a request before choosing where it goes. */
export type RouteFacts = {
  route?: string | null;
  agent?: string | null;
  tags: Readonly<Record<string, string>>;
  requestedModel: string;
  estimatedInputTokens: number;
  hasTools: boolean;
  messageCount: number;
  sessionId?: string | null;
};

export type RoutePlan = {
  /** The model to call first. */
  model: string;
  /** Models to try next, in order (see `nextAttempt`). */
  fallbacks: string[];
  /** Lower max_tokens to this when the request asks for more. */
  maxTokensCap?: number;
  /** Add cache_control with this TTL when the prefix reaches minTokens (see `applyPromptCaching`). */
  promptCaching?: { ttl: PromptCacheTtl; minTokens: number };
  /** The matched rule; absent when the default action applied. */
  ruleId?: string;
  /** Which split arm served, when the action is a split. */
  splitArm?: number;
  policyVersion: number;
  /** Total time retries may take, waits included; 0 when there is nothing to fall back to. */
  retryBudgetMs: number;
};

export type PlanOptions = {
  /** The stored version of `policy`, recorded with each call (0 = no policy saved yet). */
  policyVersion: number;
  /** Source of randomness for non-sticky splits; injectable for deterministic tests. */
  random?: () => number;
};

export const ROUTING_MATCH_FIELDS = ["route", "agent", "requestedModel", "hasTools", "inputTokens", "messageCount", "tags"] as const;
export type RoutingMatchField = (typeof ROUTING_MATCH_FIELDS)[number];

/** A rule's match with its patterns, tags and ranges compiled (see field-matchers.ts). */
export type CompiledRoutingMatch = {
  readonly route: PatternSet | null;
  readonly agent: PatternSet | null;
  readonly requestedModel: PatternSet | null;
  readonly hasTools: boolean | undefined;
  readonly inputTokens: Range | null;
  readonly messageCount: Range | null;
  readonly tags: TagSet | null;
};

export function compileRoutingMatch(match: RoutingMatch): CompiledRoutingMatch {
  return {
    route: match.route !== undefined ? compilePatterns(match.route) : null,
    agent: match.agent !== undefined ? compilePatterns(match.agent) : null,
    requestedModel: match.requestedModel !== undefined ? compilePatterns(match.requestedModel) : null,
    hasTools: match.hasTools,
    inputTokens: match.inputTokens ? compileRange(match.inputTokens) : null,
    messageCount: match.messageCount ? compileRange(match.messageCount) : null,
    tags: match.tags && Object.keys(match.tags).length > 0 ? compileTags(match.tags) : null,
  };
}

// Documents are immutable once parsed (one object per stored version, see active-policies.ts), so
// each is compiled the first time it is seen and the work is dropped with its version.
const COMPILED_MATCHES = new WeakMap<RoutingMatch, CompiledRoutingMatch>();
const COMPILED_POLICIES = new WeakMap<RoutingPolicy, CompiledRoutingPolicy>();

export type CompiledRoutingPolicy = {
  readonly rules: readonly { readonly rule: RoutingRule; readonly match: CompiledRoutingMatch }[];
  /** Finds the rules a request's `indexedOn` name leaves in play (see rule-index.ts). */
  readonly index: RuleIndex;
  readonly indexedOn: IndexedField;
  /** Some rule looks at the prompt's size (estimating it costs a serialization). */
  readonly needsInputTokens: boolean;
};

function compiledMatch(match: RoutingMatch): CompiledRoutingMatch {
  let c = COMPILED_MATCHES.get(match);
  if (c === undefined) {
    c = compileRoutingMatch(match);
    COMPILED_MATCHES.set(match, c);
  }
  return c;
}

/** The names a rule index can be built on; the one the most rules constrain is used. */
const INDEXED_FIELDS = ["route", "agent", "requestedModel"] as const;
type IndexedField = (typeof INDEXED_FIELDS)[number];

/** The policy with its rule matchers and rule index compiled, once per policy version. */
export function compileRoutingPolicy(policy: RoutingPolicy): CompiledRoutingPolicy {
  let c = COMPILED_POLICIES.get(policy);
  if (c === undefined) {
    const rules = policy.rules.map((rule) => ({ rule, match: compiledMatch(rule.match) }));
    let indexedOn: IndexedField = "route";
    let best = -1;
    for (const field of INDEXED_FIELDS) {
      const n = indexable(rules.map((r) => r.match[field]));
      if (n > best) [indexedOn, best] = [field, n];
    }
    const index = buildRuleIndex(rules.map((r) => r.match[indexedOn]));
    c = { rules, index, indexedOn, needsInputTokens: rules.some((r) => r.match.inputTokens !== null) };
    COMPILED_POLICIES.set(policy, c);
  }
  return c;
}

/** The first field a compiled match fails, in ROUTING_MATCH_FIELDS order, or null on a match. */
export function compiledRoutingMismatch(m: CompiledRoutingMatch, facts: RouteFacts): RoutingMatchField | null {
  if (m.route !== null && (facts.route == null || !patternsMatch(m.route, facts.route))) return "route";
  if (m.agent !== null && (facts.agent == null || !patternsMatch(m.agent, facts.agent))) return "agent";
  if (m.requestedModel !== null && !patternsMatch(m.requestedModel, facts.requestedModel)) return "requestedModel";
  if (m.hasTools !== undefined && m.hasTools !== facts.hasTools) return "hasTools";
  if (m.inputTokens !== null && !within(m.inputTokens, facts.estimatedInputTokens)) return "inputTokens";
  if (m.messageCount !== null && !within(m.messageCount, facts.messageCount)) return "messageCount";
  if (m.tags !== null && !tagsHold(m.tags, facts.tags)) return "tags";
  return null;
}

/**
 * The first field of `match` the request fails, or null when the rule matches. The gateway and
 * the dry-run share this one check (the dry-run names the field; the gateway only tests for null).
 */
export function routingMismatch(match: RoutingMatch, facts: RouteFacts): RoutingMatchField | null {
  return compiledRoutingMismatch(compiledMatch(match), facts);
}

export function matchesRule(match: RoutingMatch, facts: RouteFacts): boolean {
  return routingMismatch(match, facts) === null;
}

/** True when some rule looks at the prompt's size (estimating it costs a serialization). */
export function routingNeedsInputTokens(policy: RoutingPolicy): boolean {
  return compileRoutingPolicy(policy).needsInputTokens;
}

/**
 * Picks an arm: a sticky split hashes the session id (salted with the rule id so two canaries
 * split a session population independently); otherwise, or without a session, `random()`.
 */
export function pickSplitArm(split: Split, salt: string, sessionId: string | null | undefined, random: () => number): number {
  const u = split.sticky && sessionId ? unitHash(`${salt}\u0000${sessionId}`) : random();
  const point = u * 100;
  let cumulative = 0;
  for (let i = 0; i < split.arms.length; i++) {
    cumulative += split.arms[i]!.weight;
    if (point < cumulative) return i;
  }
  // u is in [0, 1) so this is only reached through float rounding at the top edge.
  let last = split.arms.length - 1;
  while (last > 0 && split.arms[last]!.weight === 0) last--;
  return last;
}

/** Decides the served model and gateway behaviour for one request. First matching rule wins. */
export function planRoute(policy: RoutingPolicy, facts: RouteFacts, opts: PlanOptions): RoutePlan {
  let action: RoutingAction = policy.default;
  let ruleId: string | undefined;
  const compiled = compileRoutingPolicy(policy);
  const rules = compiled.rules;
  const first = firstCandidate(compiled.index, facts[compiled.indexedOn], (i) => compiledRoutingMismatch(rules[i]!.match, facts) === null);
  if (first >= 0) {
    action = rules[first]!.rule.action;
    ruleId = rules[first]!.rule.id;
  }

  let model = action.model ?? facts.requestedModel;
  let splitArm: number | undefined;
  if (action.split) {
    splitArm = pickSplitArm(action.split, ruleId ?? "default", facts.sessionId, opts.random ?? Math.random);
    model = action.split.arms[splitArm]!.model;
  }

  const fallbacks = action.fallbacks ? [...action.fallbacks] : [];
  const plan: RoutePlan = {
    model,
    fallbacks,
    policyVersion: opts.policyVersion,
    retryBudgetMs: action.retryBudgetMs ?? (fallbacks.length > 0 ? DEFAULT_RETRY_BUDGET_MS : 0),
  };
  if (ruleId !== undefined) plan.ruleId = ruleId;
  if (splitArm !== undefined) plan.splitArm = splitArm;
  if (action.maxTokensCap !== undefined) plan.maxTokensCap = action.maxTokensCap;
  if (action.promptCaching?.enabled) {
    plan.promptCaching = { ttl: action.promptCaching.ttl, minTokens: minCacheableTokens(model, policy.promptCachingMinTokens) };
  }
  return plan;
}
