import { matchesAny } from "./glob";
import { minCacheableTokens } from "./min-cacheable-tokens";
import { inRange, tagsMatch } from "./policy-fields";
import {
  DEFAULT_RETRY_BUDGET_MS,
  type PromptCacheTtl,
  type RoutingAction,
  type RoutingMatch,
  type RoutingPolicy,
  type Split,
} from "./routing-policy-schema";
import { unitHash } from "./session-hash";

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

/**
 * The first field of `match` the request fails, or null when the rule matches. The gateway and
 * the dry-run share this one check (the dry-run names the field; the gateway only tests for null).
 */
export function routingMismatch(match: RoutingMatch, facts: RouteFacts): RoutingMatchField | null {
  if (match.route !== undefined && (facts.route == null || !matchesAny(match.route, facts.route))) return "route";
  if (match.agent !== undefined && (facts.agent == null || !matchesAny(match.agent, facts.agent))) return "agent";
  if (match.requestedModel !== undefined && !matchesAny(match.requestedModel, facts.requestedModel)) return "requestedModel";
  if (match.hasTools !== undefined && match.hasTools !== facts.hasTools) return "hasTools";
  if (!inRange(match.inputTokens, facts.estimatedInputTokens)) return "inputTokens";
  if (!inRange(match.messageCount, facts.messageCount)) return "messageCount";
  if (!tagsMatch(match.tags, facts.tags)) return "tags";
  return null;
}

export function matchesRule(match: RoutingMatch, facts: RouteFacts): boolean {
  return routingMismatch(match, facts) === null;
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
  for (const rule of policy.rules) {
    if (matchesRule(rule.match, facts)) {
      action = rule.action;
      ruleId = rule.id;
      break;
    }
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
