import { describe, expect, it } from "vitest";
import { overallShare, REFERENCE_MANIFEST, WORKLOAD_MANIFESTS } from "./manifest";
import { planWorkload, windowedMessages } from "./workload-plan";

describe("the reference workload's plan", () => {
  it("gives the same requests for the same seed, and other requests for another", () => {
    const a = planWorkload({ variant: "reference", seed: 11, requests: 200 });
    const b = planWorkload({ variant: "reference", seed: 11, requests: 200 });
    const c = planWorkload({ variant: "reference", seed: 12, requests: 200 });
    expect(a).toEqual(b);
    expect(c.jobs.map((j) => j.turns[0]!.userText)).not.toEqual(a.jobs.map((j) => j.turns[0]!.userText));
  });

  it("plants the manifest's per-route counts and exact repeats", () => {
    const plan = planWorkload({ variant: "reference", seed: 3, requests: 300 });
    expect(plan.requests).toBe(300);
    expect(plan.requestsByRoute).toEqual({ "ticket-triage": 150, "support-chat": 60, research: 60, "nightly-report": 30 });
    for (const r of REFERENCE_MANIFEST.routes) {
      const jobs = plan.jobs.filter((j) => j.route === r.route);
      const prompts = new Set(jobs.map((j) => JSON.stringify([j.system, j.turns])));
      expect((jobs.length - prompts.size) / jobs.length, r.route).toBeCloseTo(r.repeatShare, 2);
      // A repeat comes after the job it repeats.
      for (const j of jobs) if (j.repeatOf !== null) expect(j.repeatOf).toBeLessThan(j.index);
    }
    expect(plan.jobs.map((j) => j.arrivalMs)).toEqual([...plan.jobs.map((j) => j.arrivalMs)].sort((x, y) => x - y));
  });

  it("matches the issue's overall figures: 30% repeats, half the requests short and simple, nothing streamed", () => {
    const ref = WORKLOAD_MANIFESTS.reference;
    expect(overallShare(ref, (r) => r.repeatShare)).toBeCloseTo(0.3, 6);
    expect(overallShare(ref, (r) => r.shortSimpleShare)).toBeCloseTo(0.5, 6);
    expect(overallShare(ref, (r) => r.streamedShare)).toBe(0);
    expect(ref.routes.every((r) => /sonnet|opus/.test(r.model))).toBe(true);
    const clean = WORKLOAD_MANIFESTS.clean;
    expect(overallShare(clean, (r) => r.repeatShare)).toBe(0);
    expect(overallShare(clean, (r) => r.streamedShare)).toBeCloseTo(1, 9);
  });

  it("names as planted exactly the findings each route's figures call for, and none on the clean variant", () => {
    for (const r of REFERENCE_MANIFEST.routes) {
      const has = (kind: (typeof r.planted)[number]) => r.planted.includes(kind);
      expect(has("response_cache"), r.route).toBe(r.repeatShare > 0);
      expect(has("prompt_caching"), r.route).toBe(r.uncachedSystemShare > 0);
      expect(has("sequential_tools"), r.route).toBe(r.toolsSequential && r.toolsPerTrace > 1);
      expect(has("context_growth"), r.route).toBe(r.turnsPerSession > 2 && r.contextGrowthPerTurn > 0);
      expect(has("model_right_sizing"), r.route).toBe(r.rightSizedModel !== null);
      expect(has("batch"), r.route).toBe(!r.interactive);
      // Streaming is planted where an interactive route waits for long non-streamed replies.
      expect(has("streaming"), r.route).toBe(r.interactive && r.streamedShare === 0 && r.outputTokens >= 300);
    }
    expect(WORKLOAD_MANIFESTS.clean.routes.every((r) => r.planted.length === 0)).toBe(true);
  });

  it("applies the code-change phases as options", () => {
    const plan = planWorkload({ variant: "reference", seed: 3, requests: 100, options: { stream: true, parallelTools: true, contextWindowTurns: 3 } });
    expect(plan.jobs.every((j) => j.stream && j.toolsParallel && j.contextWindowTurns === 3)).toBe(true);
    expect(() => planWorkload({ variant: "reference", seed: 1, requests: 10, options: { contextWindowTurns: 0 } })).toThrow(/contextWindowTurns/);
    expect(() => planWorkload({ variant: "reference", seed: 1, requests: 0 })).toThrow(/requests/);
  });

  it("keeps the task turn and the last N turns under a sliding window", () => {
    const u = (n: number) => ({ role: "user" as const, content: `u${n}` });
    const a = (n: number) => ({ role: "assistant" as const, content: `a${n}` });
    const history = [u(1), a(1), u(2), a(2), u(3), a(3), u(4)];
    expect(windowedMessages(history, null)).toEqual(history);
    expect(windowedMessages(history, 3)).toEqual(history);
    expect(windowedMessages(history, 1)).toEqual([u(1), a(1), u(3), a(3), u(4)]);
    expect(windowedMessages(history, 2)).toEqual(history);
  });
});
