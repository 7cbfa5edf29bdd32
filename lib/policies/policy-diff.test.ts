import { describe, expect, it } from "vitest";
import { describeDiff, diffPolicies } from "./policy-diff";

const rule = (id: string, extra: Record<string, unknown> = {}) => ({ id, action: { model: "claude-haiku-4-5" }, ...extra });

describe("diffPolicies", () => {
  it("reports nothing for equal documents, defaults filled in on both sides", () => {
    const d = diffPolicies("routing", { rules: [{ id: "a", action: {} }] }, { rules: [{ id: "a", match: {}, action: {} }], default: {} });
    expect(d.unchanged).toBe(true);
    expect(describeDiff(d)).toEqual([]);
  });

  it("treats an absent clientTtl as the default \"lower\", and names a switch to \"any\"", () => {
    expect(diffPolicies("cache", { rules: [], clientTtl: "lower" }, { rules: [] }).unchanged).toBe(true);
    const d = diffPolicies("cache", { rules: [] }, { rules: [], clientTtl: "any" });
    expect(d.settings).toEqual(["clientTtl"]);
    expect(describeDiff(d)).toEqual(["changed clientTtl"]);
  });

  it("lists rules added and removed by id, with their positions", () => {
    const d = diffPolicies("routing", { rules: [rule("a"), rule("b")] }, { rules: [rule("b"), rule("c")] });
    expect(d.added).toEqual([{ id: "c", index: 1 }]);
    expect(d.removed).toEqual([{ id: "a", index: 0 }]);
    expect(d.changed).toEqual([]);
    expect(d.moved).toEqual([]);
  });

  it("names the fields that changed inside a rule", () => {
    const before = { rules: [{ id: "a", match: { route: "support", tags: { team: "x" } }, action: { model: "claude-haiku-4-5", maxTokensCap: 100 } }] };
    const after = { rules: [{ id: "a", match: { route: "support", tags: { team: "y" } }, action: { model: "claude-sonnet-4-5" } }] };
    const d = diffPolicies("routing", before, after);
    expect(d.changed).toEqual([{ id: "a", index: 0, fields: ["action.maxTokensCap", "action.model", "match.tags.team"] }]);
    expect(describeDiff(d)).toEqual(["changed rule a: action.maxTokensCap, action.model, match.tags.team"]);
  });

  it("names a split weight change down to the arm", () => {
    const split = (w: number) => ({ rules: [{ id: "c", action: { split: { arms: [{ model: "m1", weight: w }, { model: "m2", weight: 100 - w }] } } }] });
    expect(diffPolicies("routing", split(90), split(80)).changed[0]!.fields).toEqual(["action.split.arms.0.weight", "action.split.arms.1.weight"]);
  });

  it("reports one move when one rule is dragged to the top, not every rule it passed", () => {
    const d = diffPolicies("routing", { rules: [rule("a"), rule("b"), rule("c"), rule("d")] }, { rules: [rule("d"), rule("a"), rule("b"), rule("c")] });
    expect(d.moved).toEqual([{ id: "d", from: 3, to: 0 }]);
    expect(describeDiff(d)).toEqual(["moved rule d from position 4 to 1"]);
  });

  it("reports changes outside the rules as settings (default action, cache default)", () => {
    expect(diffPolicies("routing", { default: {} }, { default: { model: "claude-haiku-4-5" } }).settings).toEqual(["default.model"]);
    expect(diffPolicies("cache", {}, { default: { ttlSec: 60 } }).settings).toEqual(["default.ttlSec"]);
  });

  it("diffs against nothing (the first version) as every rule added", () => {
    const d = diffPolicies("cache", null, { rules: [{ id: "faq", ttlSec: 3600 }] });
    expect(d.added).toEqual([{ id: "faq", index: 0 }]);
  });

  it("still diffs an invalid draft as written", () => {
    const d = diffPolicies("routing", { rules: [rule("a")] }, { rules: [{ id: "a", action: { split: { arms: [{ model: "m", weight: 5 }] } } }] });
    expect(d.changed[0]!.id).toBe("a");
    expect(d.changed[0]!.fields).toContain("action.model");
  });

  it("agrees with a brute-force move count on random permutations", () => {
    // Brute force: the fewest rules to take out so the rest keep their order = n - LIS length.
    const lisLength = (xs: number[]) => {
      const best = xs.map(() => 1);
      for (let i = 0; i < xs.length; i++) for (let j = 0; j < i; j++) if (xs[j]! < xs[i]!) best[i] = Math.max(best[i]!, best[j]! + 1);
      return xs.length === 0 ? 0 : Math.max(...best);
    };
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let t = 0; t < 50; t++) {
      const n = 1 + Math.floor(rand() * 8);
      const ids = Array.from({ length: n }, (_, i) => `r${i}`);
      const shuffled = [...ids].sort(() => rand() - 0.5);
      const d = diffPolicies("routing", { rules: ids.map((id) => rule(id)) }, { rules: shuffled.map((id) => rule(id)) });
      expect(d.moved.length).toBe(n - lisLength(ids.map((id) => shuffled.indexOf(id))));
    }
  });
});
