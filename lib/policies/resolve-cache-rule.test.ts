import { describe, expect, it } from "vitest";
import { CachePolicy } from "./cache-policy-schema";
import { resolveCacheRule } from "./resolve-cache-rule";

const policy = CachePolicy.parse({
  rules: [
    { id: "no-opus", match: { model: "claude-opus-*" }, ttlSec: 0 },
    { id: "faq", match: { route: ["faq", "help-*"] }, ttlSec: 3600 },
    { id: "personal", match: { tags: { kind: "personal" } }, ttlSec: 600, scope: "user" },
  ],
  default: { ttlSec: 60 },
});

describe("resolveCacheRule", () => {
  it("picks the first matching rule", () => {
    expect(resolveCacheRule(policy, { route: "faq", model: "claude-haiku-4-5", tags: {} })).toEqual({ ttlSec: 3600, scope: "project", ruleId: "faq" });
    expect(resolveCacheRule(policy, { route: "help-billing", model: "claude-haiku-4-5", tags: {} })).toMatchObject({ ruleId: "faq" });
    // Rule order decides: opus is off even on the faq route.
    expect(resolveCacheRule(policy, { route: "faq", model: "claude-opus-4-5", tags: {} })).toEqual({ ttlSec: 0, scope: "project", ruleId: "no-opus" });
  });

  it("falls back to the default", () => {
    expect(resolveCacheRule(policy, { route: null, model: "claude-sonnet-4-5", tags: { kind: "public" } })).toEqual({ ttlSec: 60, scope: "project" });
  });

  it("scopes per user, and turns a user-scoped rule off without a user id", () => {
    const facts = { route: "chat", model: "claude-sonnet-4-5", tags: { kind: "personal" } };
    expect(resolveCacheRule(policy, { ...facts, userId: "u1" })).toEqual({ ttlSec: 600, scope: "user", ruleId: "personal" });
    expect(resolveCacheRule(policy, facts)).toEqual({ ttlSec: 0, scope: "user", ruleId: "personal", offReason: "no_user" });
  });

  it("is off by default for an empty policy", () => {
    expect(resolveCacheRule(CachePolicy.parse({}), { model: "m", tags: {} })).toEqual({ ttlSec: 0, scope: "project" });
  });
});
