import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compilePatterns, compileRange, compileTags, patternsMatch, tagsHold, within } from "./field-matchers";
import { compileGlob, globMatches, matchesGlob } from "./glob";
import { compileRoutingPolicy, planRoute, routingMismatch, ROUTING_MATCH_FIELDS, type RouteFacts } from "./plan-route";
import { RoutingPolicy, type RoutingMatch } from "./routing-policy-schema";

/** An independent oracle: the textbook dynamic-programming wildcard match (`*` only). */
function wildcard(pattern: string, value: string): boolean {
  let row = Array.from({ length: value.length + 1 }, (_, j) => j === 0);
  for (const c of pattern) {
    const next = Array.from({ length: value.length + 1 }, () => false);
    next[0] = c === "*" && row[0]!;
    for (let j = 1; j <= value.length; j++) next[j] = c === "*" ? next[j - 1]! || row[j]! : row[j - 1]! && value[j - 1] === c;
    row = next;
  }
  return row[value.length]!;
}

const word = fc.string({ unit: fc.constantFrom("a", "b", "-"), maxLength: 8 });
const pattern = fc.string({ unit: fc.constantFrom("a", "b", "-", "*"), minLength: 1, maxLength: 6 });

describe("compiled globs", () => {
  it("match exactly what the wildcard oracle matches", () => {
    fc.assert(
      fc.property(pattern, word, (p, v) => {
        expect(globMatches(compileGlob(p), v)).toBe(wildcard(p, v));
        expect(matchesGlob(p, v)).toBe(wildcard(p, v));
      }),
      { numRuns: 3000 },
    );
  });

  it("match a list when any of its patterns matches, a bare * matching everything", () => {
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 4 }), word, (ps, v) => {
        expect(patternsMatch(compilePatterns(ps), v)).toBe(ps.some((p) => wildcard(p, v)));
      }),
      { numRuns: 2000 },
    );
    expect(patternsMatch(compilePatterns(["x", "**"]), "")).toBe(true);
  });
});

describe("compiled tags and ranges", () => {
  it("hold only for own properties with equal values", () => {
    const want = compileTags({ team: "a", env: "prod" });
    expect(tagsHold(want, { team: "a", env: "prod", extra: "x" })).toBe(true);
    expect(tagsHold(want, { team: "a" })).toBe(false);
    expect(tagsHold(want, Object.create({ team: "a", env: "prod" }) as Record<string, string>)).toBe(false);
    expect(tagsHold(compileTags({ ["__proto__"]: "x" } as Record<string, string>), {})).toBe(false);
    expect(tagsHold(compileTags({ constructor: "x" }), {})).toBe(false);
  });

  it("treat an absent bound as open and both bounds as inclusive", () => {
    expect(within(compileRange({ min: 2 }), 2)).toBe(true);
    expect(within(compileRange({ max: 2 }), 3)).toBe(false);
    expect(within(compileRange({ min: 1, max: 1 }), 1)).toBe(true);
  });
});

/** The match semantics as documented, written plainly: the oracle for the compiled rule check. */
function reference(match: RoutingMatch, f: RouteFacts): string | null {
  const any = (p: string | string[], v: string) => (typeof p === "string" ? [p] : p).some((x) => wildcard(x, v));
  const inRange = (r: { min?: number; max?: number } | undefined, n: number) => !r || ((r.min === undefined || n >= r.min) && (r.max === undefined || n <= r.max));
  if (match.route !== undefined && (f.route == null || !any(match.route, f.route))) return "route";
  if (match.agent !== undefined && (f.agent == null || !any(match.agent, f.agent))) return "agent";
  if (match.requestedModel !== undefined && !any(match.requestedModel, f.requestedModel)) return "requestedModel";
  if (match.hasTools !== undefined && match.hasTools !== f.hasTools) return "hasTools";
  if (!inRange(match.inputTokens, f.estimatedInputTokens)) return "inputTokens";
  if (!inRange(match.messageCount, f.messageCount)) return "messageCount";
  if (match.tags && !Object.entries(match.tags).every(([k, v]) => Object.hasOwn(f.tags, k) && f.tags[k] === v)) return "tags";
  return null;
}

// Ranges the schema accepts: a bound or both, min ≤ max.
const range = fc.tuple(fc.nat(6), fc.nat(6), fc.constantFrom("min", "max", "both")).map(([a, b, which]) => {
  const [min, max] = a <= b ? [a, b] : [b, a];
  return which === "min" ? { min } : which === "max" ? { max } : { min, max };
});
const names = fc.oneof(pattern, fc.array(pattern, { minLength: 1, maxLength: 3 }));
const matchArb = fc.record(
  {
    route: names,
    agent: names,
    requestedModel: names,
    hasTools: fc.boolean(),
    inputTokens: range,
    messageCount: range,
    tags: fc.dictionary(fc.constantFrom("team", "env"), fc.constantFrom("a", "b")),
  },
  { requiredKeys: [] },
);
const factsArb = fc.record({
  route: fc.option(word, { nil: null }),
  agent: fc.option(word, { nil: null }),
  requestedModel: word,
  hasTools: fc.boolean(),
  estimatedInputTokens: fc.nat(6),
  messageCount: fc.nat(6),
  tags: fc.dictionary(fc.constantFrom("team", "env", "x"), fc.constantFrom("a", "b")),
});

describe("compiled routing rules", () => {
  it("name the same first failing field as the plain semantics, for any match and request", () => {
    fc.assert(
      fc.property(matchArb, factsArb, (match, facts) => {
        expect(routingMismatch(match as RoutingMatch, facts)).toBe(reference(match as RoutingMatch, facts));
      }),
      { numRuns: 3000 },
    );
    expect(ROUTING_MATCH_FIELDS).toEqual(["route", "agent", "requestedModel", "hasTools", "inputTokens", "messageCount", "tags"]);
  });

  it("pick the first rule the plain semantics match, over whole policies", () => {
    fc.assert(
      fc.property(fc.array(matchArb, { maxLength: 6 }), factsArb, (matches, facts) => {
        const policy = RoutingPolicy.parse({ rules: matches.map((m, i) => ({ id: `r${i}`, match: m, action: { model: `m${i}` } })) });
        const want = policy.rules.findIndex((r) => reference(r.match, facts) === null);
        expect(planRoute(policy, facts, { policyVersion: 1 }).ruleId).toBe(want < 0 ? undefined : `r${want}`);
      }),
      { numRuns: 1000 },
    );
  });

  it("index on the name the most rules constrain, and still pick the first matching rule", () => {
    const byAgent = RoutingPolicy.parse({
      rules: [
        { id: "any-big", match: { inputTokens: { min: 1000 } }, action: { model: "m-big" } },
        { id: "planners", match: { agent: "planner-*" }, action: { model: "m-plan" } },
        { id: "bot", match: { agent: ["bot", "helper"], route: "x-*" }, action: { model: "m-bot" } },
      ],
    });
    expect(compileRoutingPolicy(byAgent).indexedOn).toBe("agent");
    const f = (agent: string | null, tokens = 0) => ({ route: "x-1", agent, tags: {}, requestedModel: "m", estimatedInputTokens: tokens, hasTools: false, messageCount: 1 });
    expect(planRoute(byAgent, f("planner-7"), { policyVersion: 1 }).ruleId).toBe("planners");
    expect(planRoute(byAgent, f("planner-7", 5000), { policyVersion: 1 }).ruleId).toBe("any-big");
    expect(planRoute(byAgent, f("helper"), { policyVersion: 1 }).ruleId).toBe("bot");
    expect(planRoute(byAgent, f(null), { policyVersion: 1 }).ruleId).toBeUndefined();
    const byModel = RoutingPolicy.parse({ rules: [{ id: "opus", match: { requestedModel: "claude-opus-*" }, action: { model: "m" } }] });
    expect(compileRoutingPolicy(byModel).indexedOn).toBe("requestedModel");
  });

  it("are compiled once per policy version, not per request", () => {
    const v1 = RoutingPolicy.parse({ rules: [{ id: "a", match: { route: "x-*" }, action: { model: "m" } }] });
    const v2 = RoutingPolicy.parse({ rules: [{ id: "a", match: { route: "y-*" }, action: { model: "m" } }] });
    expect(compileRoutingPolicy(v1)).toBe(compileRoutingPolicy(v1));
    expect(compileRoutingPolicy(v2)).not.toBe(compileRoutingPolicy(v1));
    const facts = { route: "y-1", tags: {}, requestedModel: "m0", estimatedInputTokens: 0, hasTools: false, messageCount: 1 };
    expect(planRoute(v1, facts, { policyVersion: 1 }).ruleId).toBeUndefined();
    expect(planRoute(v2, facts, { policyVersion: 2 }).ruleId).toBe("a");
  });
});
