import { describe, expect, it } from "vitest";
import { minCacheTokens } from "../simulator/cache-minimums";
import { textTokens } from "../simulator/token-count";
import { createScenario, DEMO_ROUTES, type DemoTask } from "./scenario";
import { toolResultFor } from "./tool-results";

function tasks(seed: number, n: number): DemoTask[] {
  const scenario = createScenario(seed);
  return Array.from({ length: n }, () => scenario.next());
}

describe("demo scenario", () => {
  it("is deterministic under a seed and differs between seeds", () => {
    expect(tasks(11, 60)).toEqual(tasks(11, 60));
    expect(tasks(12, 60).map((t) => t.turns)).not.toEqual(tasks(11, 60).map((t) => t.turns));
  });

  it("runs at least three agents on distinct routes and models", () => {
    const sample = tasks(1, 200);
    const routes = new Set(sample.map((t) => t.route));
    expect(routes).toEqual(new Set(DEMO_ROUTES));
    expect(routes.size).toBeGreaterThanOrEqual(3);
    expect(new Set(sample.map((t) => t.agent)).size).toBe(routes.size);
    expect(new Set(sample.map((t) => t.model)).size).toBe(routes.size);
  });

  it("gives every agent a shared system prompt above its model's minimum cacheable length", () => {
    for (const task of tasks(2, 100)) {
      const breakpoint = task.system.find((b) => b.cache_control);
      expect(breakpoint).toBeDefined();
      const prefix = textTokens(JSON.stringify(task.tools ?? [])) + task.system.reduce((n, b) => n + textTokens(b.text), 0);
      expect(prefix).toBeGreaterThan(minCacheTokens(task.model) * 1.1);
    }
  });

  it("repeats support questions so the response cache can hit", () => {
    const support = tasks(3, 300).filter((t) => t.route === "support-answer");
    const counts = new Map<string, number>();
    for (const t of support) counts.set(t.turns[0]!, (counts.get(t.turns[0]!) ?? 0) + 1);
    const top = Math.max(...counts.values());
    expect(top / support.length).toBeGreaterThan(0.15);
    expect(support.every((t) => t.responseCacheTtlSec! > 0)).toBe(true);
  });

  it("offers tools to the research agent and keeps sessions unique", () => {
    const sample = tasks(4, 200);
    expect(sample.filter((t) => t.route === "research-planner").every((t) => (t.tools?.length ?? 0) >= 2)).toBe(true);
    expect(new Set(sample.map((t) => t.sessionId)).size).toBe(sample.length);
    expect(sample.some((t) => t.turns.length > 1)).toBe(true);
  });

  it("injects faults in a small fraction of sessions, mid-stream ones only on streams", () => {
    const sample = tasks(5, 2000);
    const faulty = sample.filter((t) => t.fault);
    expect(faulty.length / sample.length).toBeGreaterThan(0.02);
    expect(faulty.length / sample.length).toBeLessThan(0.1);
    expect(new Set(faulty.map((t) => t.fault!.kind)).size).toBeGreaterThanOrEqual(4);
    for (const t of faulty) {
      expect(t.fault!.turn).toBeLessThan(t.turns.length);
      if (t.fault!.kind === "stream-error") expect(t.stream).toBe(true);
    }
  });

  it("answers tool calls with deterministic results", () => {
    expect(toolResultFor("run_sql", { sql: "select 1" })).toBe(toolResultFor("run_sql", { sql: "select 1" }));
    expect(toolResultFor("search_docs", { query: "a" })).not.toBe(toolResultFor("search_docs", { query: "b" }));
    expect(toolResultFor("unknown", {})).toContain("No result");
  });
});
