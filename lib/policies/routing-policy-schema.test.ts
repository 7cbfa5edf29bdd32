import { describe, expect, it } from "vitest";
import { RoutingPolicy } from "./routing-policy-schema";
import { CachePolicy } from "./cache-policy-schema";

function issues(doc: unknown, schema: typeof RoutingPolicy | typeof CachePolicy = RoutingPolicy) {
  const r = schema.safeParse(doc);
  if (r.success) throw new Error("expected the document to be rejected");
  return r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

describe("RoutingPolicy", () => {
  it("accepts a full document and fills defaults", () => {
    const p = RoutingPolicy.parse({
      rules: [
        {
          id: "cheap-short",
          match: { route: ["faq", "support-*"], agent: "triage", tags: { tier: "free" }, requestedModel: "claude-opus-*", inputTokens: { max: 2000 }, hasTools: false, messageCount: { min: 1, max: 4 } },
          action: { model: "claude-haiku-4-5", fallbacks: ["claude-sonnet-4-5"], retryBudgetMs: 5000, maxTokensCap: 1024, promptCaching: { enabled: true } },
        },
        { id: "canary", action: { split: { arms: [{ model: "claude-sonnet-4-5", weight: 90 }, { model: "claude-sonnet-4-6", weight: 10 }], sticky: true } } },
      ],
    });
    expect(p.default).toEqual({});
    expect(p.rules[0]!.action.promptCaching).toEqual({ enabled: true, ttl: "5m" });
    expect(p.rules[1]!.match).toEqual({});
    expect(RoutingPolicy.parse({})).toEqual({ rules: [], default: {} });
  });

  it("rejects split weights that do not sum to 100", () => {
    expect(issues({ rules: [{ id: "c", action: { split: { arms: [{ model: "a", weight: 50 }, { model: "b", weight: 40 }] } } }] })).toContainEqual({
      path: "rules.0.action.split.arms",
      message: "arm weights must sum to 100",
    });
  });

  it("rejects model and split together, duplicate rule ids, unknown fields and bad ranges", () => {
    const found = issues({
      rules: [
        { id: "a", action: { model: "m", split: { arms: [{ model: "x", weight: 100 }] } } },
        { id: "a", match: { inputTokens: { min: 10, max: 5 }, modle: "typo" }, action: {} },
      ],
    });
    const paths = found.map((i) => `${i.path}: ${i.message}`);
    expect(paths).toContain("rules.0.action.split: use either model or split, not both");
    expect(paths.some((p) => p.startsWith("rules.1.match") && p.includes("modle"))).toBe(true);
    expect(paths).toContain("rules.1.match.inputTokens: min must not exceed max");
    expect(paths).toContain("rules.1.id: duplicate rule id \"a\"");
  });

  it("rejects wildcards where a concrete model is needed and an unknown cache ttl", () => {
    const found = issues({ rules: [{ id: "x", action: { model: "claude-*", promptCaching: { enabled: true, ttl: "10m" } } }] });
    expect(found.map((i) => i.path)).toEqual(expect.arrayContaining(["rules.0.action.model", "rules.0.action.promptCaching.ttl"]));
  });

  it("rejects an over-long retry budget and a zero max_tokens cap", () => {
    const found = issues({ default: { retryBudgetMs: 600_000, maxTokensCap: 0 } });
    expect(found.map((i) => i.path)).toEqual(expect.arrayContaining(["default.retryBudgetMs", "default.maxTokensCap"]));
  });
});

describe("CachePolicy", () => {
  it("accepts rules and defaults to off, project scope", () => {
    const p = CachePolicy.parse({ rules: [{ id: "faq", match: { route: "faq", model: "claude-haiku-*" }, ttlSec: 3600 }] });
    expect(p.default).toEqual({ ttlSec: 0, scope: "project" });
    expect(p.rules[0]).toMatchObject({ ttlSec: 3600, scope: "project" });
  });

  it("rejects negative or fractional TTLs, unknown scopes and extra keys", () => {
    const found = issues({ rules: [{ id: "a", ttlSec: -1, scope: "team" }, { id: "b", ttlSec: 1.5, extra: 1 }] }, CachePolicy);
    expect(found.map((i) => i.path)).toEqual(expect.arrayContaining(["rules.0.ttlSec", "rules.0.scope", "rules.1.ttlSec", "rules.1"]));
  });

  it("takes clientTtl \"lower\" or \"any\" and names the field for anything else", () => {
    expect(CachePolicy.parse({ clientTtl: "any" }).clientTtl).toBe("any");
    expect(CachePolicy.parse({}).clientTtl).toBeUndefined();
    for (const bad of ["raise", "", 1, null]) {
      expect(issues({ clientTtl: bad }, CachePolicy)).toEqual([{ path: "clientTtl", message: 'must be "lower" or "any"' }]);
    }
  });
});
