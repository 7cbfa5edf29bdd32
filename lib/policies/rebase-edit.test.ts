import { describe, expect, it } from "vitest";
import { diffPolicies } from "./policy-diff";
import { reapplyEdit, rebaseEdit } from "./rebase-edit";

const rule = (id: string, action: Record<string, unknown> = {}, match: Record<string, unknown> = {}) => ({ id, match, action });

// The newcomer's case: v3 has one rule; A saved v4 with a max_tokens cap on it while B turned on
// prompt caching for the default.
const v3 = { rules: [rule("rule-1", { model: "claude-haiku-4-5" })], default: {} };
const v4 = { rules: [rule("rule-1", { model: "claude-haiku-4-5", maxTokensCap: 1000 })], default: {} };

describe("rebaseEdit", () => {
  it("puts the edit on top of the newer version: both changes are in, nothing conflicts", () => {
    const mine = { ...v3, default: { promptCaching: { enabled: true, ttl: "1h" } } };
    const r = rebaseEdit("routing", v3, mine, v4);
    expect(r.conflicts).toEqual([]);
    expect(r.document).toEqual({ rules: [rule("rule-1", { model: "claude-haiku-4-5", maxTokensCap: 1000 })], default: { promptCaching: { enabled: true, ttl: "1h" } } });
    // Against the new live version the edit still reads as the edit alone.
    expect(diffPolicies("routing", v4, r.document).settings).toEqual(["default.promptCaching"]);
    expect(diffPolicies("routing", v4, r.document).changed).toEqual([]);
  });

  it("keeps a canary split typed in the JSON view (a new field of a rule they changed elsewhere)", () => {
    const split = { arms: [{ model: "claude-haiku-4-5", weight: 90 }, { model: "claude-sonnet-4-5", weight: 10 }], sticky: true };
    const mine = { rules: [rule("rule-1", { split })], default: {} };
    const theirs = { rules: [rule("rule-1", { model: "claude-haiku-4-5", maxTokensCap: 1000 }, { route: "faq" })], default: {} };
    const r = rebaseEdit("routing", v3, mine, theirs);
    // The edit replaced model by split; they added a cap and a route: all three survive.
    expect(r.document.rules).toEqual([rule("rule-1", { split, maxTokensCap: 1000 }, { route: "faq" })]);
    expect(r.conflicts).toEqual([]);
  });

  it("reports the same field changed differently on both sides and keeps the edit's value", () => {
    const mine = { rules: [rule("rule-1", { model: "claude-haiku-4-5", maxTokensCap: 500 })], default: { model: "claude-sonnet-4-5" } };
    const r = rebaseEdit("routing", v3, mine, v4);
    expect(r.conflicts).toEqual([{ path: "rules.rule-1.action.maxTokensCap", label: "rule rule-1: action.maxTokensCap", mine: 500, theirs: 1000 }]);
    expect(r.document).toEqual({ rules: [rule("rule-1", { model: "claude-haiku-4-5", maxTokensCap: 500 })], default: { model: "claude-sonnet-4-5" } });
  });

  it("takes the same change made on both sides once, without a conflict", () => {
    const r = rebaseEdit("routing", v3, v4, v4);
    expect(r.conflicts).toEqual([]);
    expect(r.document).toEqual(v4);
  });

  it("does not count a default left out as a change (split.sticky, match: {})", () => {
    const split = { arms: [{ model: "claude-haiku-4-5", weight: 100 }], sticky: false };
    const base = { rules: [{ id: "a", match: {}, action: { split } }] };
    const mine = { rules: [{ id: "a", action: { split: { arms: split.arms } } }], default: { model: "claude-opus-4-5" } };
    const theirs = { rules: [{ id: "a", match: {}, action: { split: { ...split, sticky: true } } }] };
    const r = rebaseEdit("routing", base, mine, theirs);
    expect(r.conflicts).toEqual([]);
    expect(r.document).toEqual({ rules: [{ id: "a", match: {}, action: { split: { ...split, sticky: true } } }], default: { model: "claude-opus-4-5" } });
  });

  it("merges rule lists by id: additions from both sides, deletions, and their order", () => {
    const base = { rules: [rule("a"), rule("b"), rule("c")] };
    // Mine: deleted b, added m after c. Theirs: added t at the top, changed c.
    const mine = { rules: [rule("a"), rule("c"), rule("m")] };
    const theirs = { rules: [rule("t"), rule("a"), rule("b"), rule("c", { model: "claude-haiku-4-5" })] };
    const r = rebaseEdit("routing", base, mine, theirs);
    expect(r.conflicts).toEqual([]);
    expect((r.document.rules as { id: string }[]).map((x) => x.id)).toEqual(["t", "a", "c", "m"]);
    expect((r.document.rules as { action: unknown }[])[2]!.action).toEqual({ model: "claude-haiku-4-5" });
  });

  it("follows the side that reordered, and reports two different reorders", () => {
    const base = { rules: [rule("a"), rule("b"), rule("c")] };
    const theirsMoved = { rules: [rule("c"), rule("a"), rule("b")] };
    const mineEdited = { rules: [rule("a", { model: "claude-haiku-4-5" }), rule("b"), rule("c")] };
    const moved = rebaseEdit("routing", base, mineEdited, theirsMoved);
    expect((moved.document.rules as { id: string }[]).map((x) => x.id)).toEqual(["c", "a", "b"]);
    expect(moved.conflicts).toEqual([]);

    const mineMoved = { rules: [rule("b"), rule("a"), rule("c")] };
    const both = rebaseEdit("routing", base, mineMoved, theirsMoved);
    expect((both.document.rules as { id: string }[]).map((x) => x.id)).toEqual(["b", "a", "c"]);
    expect(both.conflicts.map((c) => c.label)).toEqual(["rule order"]);
  });

  it("reports a rule changed on one side and deleted on the other", () => {
    const base = { rules: [rule("a"), rule("b")] };
    const mineChangedA = { rules: [rule("a", { maxTokensCap: 10 }), rule("b")] };
    const theirsDeletedA = { rules: [rule("b")] };
    const kept = rebaseEdit("routing", base, mineChangedA, theirsDeletedA);
    expect((kept.document.rules as { id: string }[]).map((x) => x.id)).toEqual(["a", "b"]);
    expect(kept.conflicts.map((c) => c.label)).toEqual(["rule a (you changed it, version deleted it)"]);

    const mineDeletedA = { rules: [rule("b")] };
    const gone = rebaseEdit("routing", base, mineDeletedA, mineChangedA);
    expect((gone.document.rules as { id: string }[]).map((x) => x.id)).toEqual(["b"]);
    expect(gone.conflicts.map((c) => c.label)).toEqual(["rule a (you deleted it, version changed it)"]);
  });

  it("keeps two different rules both sides added under one id: theirs keeps it, the edit's is renamed, reported", () => {
    const base = { rules: [rule("rule-1")] };
    const theirs = { rules: [rule("rule-1"), { id: "rule-2", match: { route: "billing" }, action: { maxTokensCap: 1000 } }] };
    const mine = { rules: [rule("rule-1"), { id: "rule-2", match: { model: "claude-opus-*" }, action: { model: "claude-haiku-4-5" } }] };
    const r = rebaseEdit("routing", base, mine, theirs);
    const rules = r.document.rules as { id: string; match: Record<string, unknown>; action: Record<string, unknown> }[];
    expect(rules.map((x) => x.id).sort()).toEqual(["rule-1", "rule-2", "rule-2-2"]);
    const byId = new Map(rules.map((x) => [x.id, x]));
    expect(byId.get("rule-2")!.match).toEqual({ route: "billing" });
    expect(byId.get("rule-2")!.action.maxTokensCap).toBe(1000);
    expect(byId.get("rule-2")!.action.model).toBeUndefined();
    expect(byId.get("rule-2-2")!.match).toEqual({ model: "claude-opus-*" });
    expect(byId.get("rule-2-2")!.action.maxTokensCap).toBeUndefined();
    expect(r.conflicts.map((c) => c.label)).toEqual(["rule rule-2 (you and the live version both added a rule by that name: yours is now rule-2-2)"]);
    // The same rule added on both sides is one rule, with no conflict.
    expect(rebaseEdit("routing", base, theirs, theirs).conflicts).toEqual([]);
  });

  it("merges cache documents' settings outside the rules (clientTtl, default TTL)", () => {
    const base = { rules: [], default: { ttlSec: 0, scope: "project" } };
    const mine = { rules: [], default: { ttlSec: 0, scope: "project" }, clientTtl: "any" };
    const theirs = { rules: [], default: { ttlSec: 600, scope: "project" } };
    const r = rebaseEdit("cache", base, mine, theirs);
    expect(r.conflicts).toEqual([]);
    expect(r.document).toEqual({ rules: [], default: { ttlSec: 600, scope: "project" }, clientTtl: "any" });
  });
});

describe("reapplyEdit", () => {
  const mine = { ...v3, default: { promptCaching: { enabled: true, ttl: "1h" } } };
  const live = { active: { version: 4, document: v4 }, versions: [{ version: 4, document: v4 }, { version: 3, document: v3 }] };

  it("rebases the edit made on its base version onto the live one, and names the new base", () => {
    const r = reapplyEdit("routing", { baseVersion: 3, mine, live, empty: {} });
    expect(r).toEqual({ ok: true, version: 4, conflicts: [], document: { rules: v4.rules, default: mine.default } });
  });

  it("takes version 0 as the empty policy, and refuses a base it cannot find", () => {
    const fromNothing = reapplyEdit("routing", { baseVersion: 0, mine: { rules: [rule("new")] }, live, empty: { rules: [], default: {} } });
    expect(fromNothing.ok && (fromNothing.document.rules as { id: string }[]).map((x) => x.id)).toEqual(["rule-1", "new"]);
    expect(reapplyEdit("routing", { baseVersion: 1, mine, live, empty: {} })).toEqual({ ok: false, message: expect.stringContaining("Version 1 is too old") });
  });
});
