import { describe, expect, it } from "vitest";
import { matchesRule, planRoute, routingMismatch, type RouteFacts } from "./plan-route";
import { RoutingPolicy, type RoutingMatch, type RoutingPolicyInput } from "./routing-policy-schema";
import { matchesGlob } from "./glob";
import { seededRandom } from "../seeded-random";

const facts = (over: Partial<RouteFacts> = {}): RouteFacts => ({
  route: "chat",
  agent: "helper",
  tags: {},
  requestedModel: "claude-opus-4-1",
  estimatedInputTokens: 500,
  hasTools: false,
  messageCount: 2,
  sessionId: null,
  ...over,
});

const policy = (doc: RoutingPolicyInput) => RoutingPolicy.parse(doc);

/** Reproducible draws: the project's one mulberry32. */
const seeded = seededRandom;

describe("matchesGlob", () => {
  it("matches exact ids and * anywhere, nothing else special", () => {
    expect(matchesGlob("claude-opus-*", "claude-opus-4-5")).toBe(true);
    expect(matchesGlob("claude-opus-*", "claude-sonnet-4-5")).toBe(false);
    expect(matchesGlob("*-haiku-*", "claude-3-5-haiku-20241022")).toBe(true);
    expect(matchesGlob("a*b*c", "abc")).toBe(true);
    expect(matchesGlob("a*b*c", "acb")).toBe(false);
    expect(matchesGlob("ab*ba", "aba")).toBe(false);
    expect(matchesGlob("claude.opus", "claudeXopus")).toBe(false);
    expect(matchesGlob("*", "")).toBe(true);
  });
});

describe("planRoute", () => {
  it("passes through when no rule matches and the default is empty", () => {
    const plan = planRoute(policy({ rules: [{ id: "r", match: { route: "other" }, action: { model: "claude-haiku-4-5" } }] }), facts(), { policyVersion: 3 });
    expect(plan).toEqual({ model: "claude-opus-4-1", fallbacks: [], policyVersion: 3, retryBudgetMs: 0 });
  });

  it("applies the first matching rule only", () => {
    const p = policy({
      rules: [
        { id: "first", match: { requestedModel: "claude-opus-*" }, action: { model: "claude-sonnet-4-5", maxTokensCap: 2048 } },
        { id: "second", action: { model: "claude-haiku-4-5" } },
      ],
    });
    expect(planRoute(p, facts(), { policyVersion: 1 })).toMatchObject({ model: "claude-sonnet-4-5", ruleId: "first", maxTokensCap: 2048 });
    expect(planRoute(p, facts({ requestedModel: "claude-sonnet-4-5" }), { policyVersion: 1 })).toMatchObject({ model: "claude-haiku-4-5", ruleId: "second" });
  });

  it("matches on every fact, and each condition can fail the rule", () => {
    const p = policy({
      rules: [
        {
          id: "all",
          match: { route: "chat", agent: ["helper", "bot-*"], tags: { tier: "free", env: "prod" }, requestedModel: "claude-opus-4-1", inputTokens: { min: 100, max: 1000 }, hasTools: false, messageCount: { max: 5 } },
          action: { model: "m-matched" },
        },
      ],
    });
    const ok = facts({ tags: { tier: "free", env: "prod", extra: "x" } });
    expect(planRoute(p, ok, { policyVersion: 1 }).model).toBe("m-matched");
    expect(planRoute(p, { ...ok, agent: "bot-7" }, { policyVersion: 1 }).model).toBe("m-matched");
    const misses: Partial<RouteFacts>[] = [
      { route: "other" },
      { route: null },
      { agent: "someone" },
      { tags: { tier: "free" } },
      { tags: { tier: "paid", env: "prod" } },
      { requestedModel: "claude-opus-4-5" },
      { estimatedInputTokens: 99 },
      { estimatedInputTokens: 1001 },
      { hasTools: true },
      { messageCount: 6 },
    ];
    for (const miss of misses) expect(planRoute(p, { ...ok, ...miss }, { policyVersion: 1 }).ruleId, JSON.stringify(miss)).toBeUndefined();
    // Bounds are inclusive.
    expect(planRoute(p, { ...ok, estimatedInputTokens: 1000, messageCount: 5 }, { policyVersion: 1 }).model).toBe("m-matched");
  });

  it("uses the default action when nothing matches", () => {
    const p = policy({ rules: [{ id: "r", match: { route: "x" }, action: {} }], default: { model: "claude-sonnet-4-5", fallbacks: ["claude-haiku-4-5"] } });
    const plan = planRoute(p, facts(), { policyVersion: 9 });
    expect(plan).toEqual({ model: "claude-sonnet-4-5", fallbacks: ["claude-haiku-4-5"], policyVersion: 9, retryBudgetMs: 10_000 });
    expect(plan.ruleId).toBeUndefined();
  });

  it("carries fallbacks, budget and prompt caching with the served model's minimum", () => {
    const p = policy({
      rules: [{ id: "r", action: { model: "claude-opus-4-5", fallbacks: ["claude-sonnet-4-5", "claude-sonnet-4-5"], retryBudgetMs: 3000, promptCaching: { enabled: true, ttl: "1h" } } }],
    });
    expect(planRoute(p, facts(), { policyVersion: 2 })).toEqual({
      model: "claude-opus-4-5",
      fallbacks: ["claude-sonnet-4-5", "claude-sonnet-4-5"],
      retryBudgetMs: 3000,
      promptCaching: { ttl: "1h", minTokens: 4096 },
      ruleId: "r",
      policyVersion: 2,
    });
    const off = policy({ rules: [{ id: "r", action: { promptCaching: { enabled: false } } }] });
    expect(planRoute(off, facts(), { policyVersion: 1 }).promptCaching).toBeUndefined();
  });

  it("honours policy overrides of the minimum cacheable length", () => {
    const p = policy({ promptCachingMinTokens: { "claude-opus-4-1": 3000 }, default: { promptCaching: { enabled: true } } });
    expect(planRoute(p, facts(), { policyVersion: 1 }).promptCaching).toEqual({ ttl: "5m", minTokens: 3000 });
  });

  it("splits by weight: deterministic under a seed and close to the weights over many draws", () => {
    const p = policy({ rules: [{ id: "canary", action: { split: { arms: [{ model: "stable", weight: 80 }, { model: "canary", weight: 15 }, { model: "off", weight: 0 }, { model: "tail", weight: 5 }] } } }] });
    const draw = (random: () => number, n: number) => Array.from({ length: n }, () => planRoute(p, facts(), { policyVersion: 1, random }).model);
    expect(draw(seeded(42), 50)).toEqual(draw(seeded(42), 50));

    const n = 20_000;
    const counts = new Map<string, number>();
    for (const m of draw(seeded(7), n)) counts.set(m, (counts.get(m) ?? 0) + 1);
    expect(counts.get("off")).toBeUndefined();
    expect(counts.get("stable")! / n).toBeCloseTo(0.8, 1);
    expect(counts.get("canary")! / n).toBeCloseTo(0.15, 1);
    expect(counts.get("tail")! / n).toBeCloseTo(0.05, 1);
    // The edges of [0, 1) land on the first and last live arms.
    expect(planRoute(p, facts(), { policyVersion: 1, random: () => 0 }).model).toBe("stable");
    expect(planRoute(p, facts(), { policyVersion: 1, random: () => 0.9999999999 }).model).toBe("tail");
    expect(planRoute(p, facts(), { policyVersion: 1, random: () => 0.8 }).splitArm).toBe(1);
  });

  it("keeps a session on one arm when sticky, and spreads sessions by weight", () => {
    const p = policy({ rules: [{ id: "canary", action: { split: { arms: [{ model: "a", weight: 70 }, { model: "b", weight: 30 }], sticky: true } } }] });
    const alwaysLow = () => 0;
    const alwaysHigh = () => 0.99;
    let b = 0;
    const sessions = 10_000;
    for (let i = 0; i < sessions; i++) {
      const sessionId = `sess-${i}`;
      const first = planRoute(p, facts({ sessionId }), { policyVersion: 1, random: alwaysLow }).model;
      // Sticky ignores randomness entirely.
      expect(planRoute(p, facts({ sessionId }), { policyVersion: 1, random: alwaysHigh }).model).toBe(first);
      if (first === "b") b++;
    }
    expect(b / sessions).toBeGreaterThan(0.27);
    expect(b / sessions).toBeLessThan(0.33);
    // Without a session id a sticky split falls back to random draws.
    expect(planRoute(p, facts(), { policyVersion: 1, random: alwaysLow }).model).toBe("a");
    expect(planRoute(p, facts(), { policyVersion: 1, random: alwaysHigh }).model).toBe("b");
  });

  it("does not make a non-sticky split sticky", () => {
    const p = policy({ rules: [{ id: "c", action: { split: { arms: [{ model: "a", weight: 50 }, { model: "b", weight: 50 }] } } }] });
    expect(planRoute(p, facts({ sessionId: "s" }), { policyVersion: 1, random: () => 0.1 }).model).toBe("a");
    expect(planRoute(p, facts({ sessionId: "s" }), { policyVersion: 1, random: () => 0.9 }).model).toBe("b");
  });
});

describe("routingMismatch (shared by the gateway and the dry-run)", () => {
  const base: RouteFacts = { route: "support", agent: "bot", tags: { team: "a" }, requestedModel: "claude-sonnet-4-5", estimatedInputTokens: 500, hasTools: false, messageCount: 3 };
  it.each([
    [{ route: "billing" }, "route"],
    [{ agent: "planner-*" }, "agent"],
    [{ requestedModel: "claude-opus-*" }, "requestedModel"],
    [{ hasTools: true }, "hasTools"],
    [{ inputTokens: { min: 1000 } }, "inputTokens"],
    [{ messageCount: { max: 2 } }, "messageCount"],
    [{ tags: { team: "b" } }, "tags"],
  ] as const)("names the field %o fails on", (match, field) => {
    expect(routingMismatch(match as RoutingMatch, base)).toBe(field);
    expect(matchesRule(match as RoutingMatch, base)).toBe(false);
  });

  it("answers null when every field matches, and the first failing field when several fail", () => {
    expect(routingMismatch({ route: "supp*", agent: "bot", tags: { team: "a" }, messageCount: { min: 1, max: 3 } }, base)).toBeNull();
    expect(routingMismatch({ agent: "x", tags: { team: "b" } }, base)).toBe("agent");
  });

  it("matches a pattern built to backtrack in linear time (globs use indexOf, never RegExp)", () => {
    const pattern = `${"*a".repeat(100)}*b`;
    const value = "a".repeat(100_000);
    const started = performance.now();
    expect(routingMismatch({ route: pattern }, { ...base, route: value })).toBe("route");
    expect(performance.now() - started).toBeLessThan(200);
  });
});
