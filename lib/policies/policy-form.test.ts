import { describe, expect, it } from "vitest";
import { clientTtlChoice, clientTtlValue, duplicateRule, issuesAt, moveItem, newRule, newRuleId, parseList, parseTagText, setIn, splitTotal, ttlParts, ttlSeconds, uniqueRuleId } from "./policy-form";

describe("policy form helpers", () => {
  it("sets a nested field without touching the original, and removes a cleared one with its empty parents", () => {
    const doc = { rules: [{ id: "a", match: { route: "x" }, action: {} }] };
    const next = setIn(doc, ["rules", 0, "action", "model"], "claude-haiku-4-5");
    expect(next.rules[0]).toEqual({ id: "a", match: { route: "x" }, action: { model: "claude-haiku-4-5" } });
    expect(doc.rules[0]!.action).toEqual({});
    expect(setIn(doc, ["rules", 0, "match", "route"], undefined).rules[0]).toEqual({ id: "a", action: {} });
  });

  it("moves, adds and duplicates rules with unique ids", () => {
    expect(moveItem(["a", "b", "c"], 2, 0)).toEqual(["c", "a", "b"]);
    expect(moveItem(["a", "b"], 0, 5)).toEqual(["a", "b"]);
    expect(uniqueRuleId("rule", ["rule", "rule-2"])).toBe("rule-3");
    expect(newRule("cache", ["rule"])).toEqual({ id: "rule-2", match: {}, ttlSec: 3600, scope: "project" });
  });

  it("gives a new rule an id naming its position, never a bare \"rule\", and skips ids in use", () => {
    expect(newRule("routing", [])).toEqual({ id: "rule-1", match: {}, action: {} });
    expect(newRule("routing", ["faq", "support"]).id).toBe("rule-3");
    expect(newRuleId(["rule-3", "x", "rule-4"])).toBe("rule-5");
    expect(newRuleId(["rule-1"])).toBe("rule-2");
    const copy = duplicateRule({ id: "faq", match: { route: "faq" }, action: {} }, ["faq", "faq-copy"]);
    expect(copy).toEqual({ id: "faq-copy-2", match: { route: "faq" }, action: {} });
  });

  it("reads lists and tags from text, reporting a malformed tag", () => {
    expect(parseList("")).toBeUndefined();
    expect(parseList(" support ")).toBe("support");
    expect(parseList("a, b,")).toEqual(["a", "b"]);
    expect(parseTagText("team=a, env = prod")).toEqual({ tags: { team: "a", env: "prod" }, error: null });
    expect(parseTagText("team")).toEqual({ tags: undefined, error: '"team" is not key=value' });
  });

  it("shows a TTL in its largest whole unit and converts back, passing bad numbers to the schema", () => {
    expect(ttlParts(3600)).toEqual({ value: "1", unit: "h" });
    expect(ttlParts(90)).toEqual({ value: "90", unit: "s" });
    expect(ttlParts(0)).toEqual({ value: "0", unit: "s" });
    expect(ttlSeconds("2", "d")).toBe(172800);
    expect(ttlSeconds("-1", "m")).toBe(-60);
    expect(ttlSeconds("abc", "s")).toBe("abc");
    expect(ttlSeconds("", "s")).toBeUndefined();
  });

  it("totals split weights and finds the issues under a field", () => {
    expect(splitTotal([{ weight: 60 }, { weight: 30 }, {}])).toBe(90);
    const issues = [{ path: "rules.0.action.split.arms", message: "sum" }, { path: "rules.1.id", message: "dup" }];
    expect(issuesAt(issues, "rules.0")).toEqual([issues[0]]);
  });

  it("shows clientTtl as the select does: absent is \"lower\", a refused value stays visible as invalid", () => {
    expect(clientTtlChoice(undefined)).toBe("lower");
    expect(clientTtlChoice("lower")).toBe("lower");
    expect(clientTtlChoice("any")).toBe("any");
    expect(clientTtlChoice("sometimes")).toBe("invalid");
    expect(clientTtlChoice(1)).toBe("invalid");
    expect(clientTtlValue("lower")).toBeUndefined();
    expect(clientTtlValue("any")).toBe("any");
  });
});
