import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { REFERENCE_MANIFEST } from "../../demo/reference/manifest";
import { CachePolicy } from "../../policies/cache-policy-schema";
import { RoutingPolicy } from "../../policies/routing-policy-schema";
import { analyzeFindingsInSteps } from "../findings/analyze-findings";
import { runReplay } from "../replay/run-replay";
import type { ReplayPolicies } from "../replay/simulate";
import { manifestTraffic } from "../testing/manifest-traffic";
import { worldPrices } from "../testing/traffic-world";
import { shareTraffic, trafficFromMessage } from "../traffic-share";
import type { AnalysisHelper } from "./analysis-helper";
import { startAnalysisHelper } from "./helper-start";

/** The helper thread, taking every window however small (a real worker thread, as the server starts it). */
const helper = startAnalysisHelper({}, { minCalls: 0 })!;
afterAll(() => helper.close());

const prices = worldPrices();
const live: ReplayPolicies = { routing: RoutingPolicy.parse({}), cache: CachePolicy.parse({}) };
const candidate: ReplayPolicies = {
  routing: RoutingPolicy.parse({ default: { promptCaching: { enabled: true } }, rules: [{ id: "small", match: { route: "ticket-triage" }, action: { model: "claude-haiku-4-5" } }] }),
  cache: CachePolicy.parse({ default: { ttlSec: 600 } }),
};
const traffic = () => manifestTraffic(REFERENCE_MANIFEST, { seed: 7, requests: 3000 });
const withoutTime = <T extends { elapsedMs: number }>(a: T) => ({ ...a, elapsedMs: 0 });

/** A helper whose every call is seen (and may be made to fail). */
function watched(inner: AnalysisHelper, fail = false) {
  const calls: string[] = [];
  const h: AnalysisHelper = {
    minCalls: 0,
    simulate: (t, task, o) => (calls.push("simulate"), fail ? Promise.reject(new Error("boom")) : inner.simulate(t, task, o)),
    findings: (t, task, o) => (calls.push("findings"), fail ? Promise.reject(new Error("boom")) : inner.findings(t, task, o)),
  };
  return { h, calls };
}

describe("the analysis helper thread", () => {
  it("reads a shared traffic as the main thread does: columns on shared memory, ids and dictionaries", () => {
    const t = traffic();
    const before = { latency: Array.from(t.llm.latencyMs), id: t.llm.id.at(5), route: t.routes.values[t.llm.route[5]!], trace: t.traces.values.length };
    const m = shareTraffic(t);
    expect(t.llm.latencyMs.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(t.tools.tsMs.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(t.llm.latencyMs)).toEqual(before.latency);
    expect(t.llm.id.at(5)).toBe(before.id);
    const back = trafficFromMessage(structuredClone(m));
    expect(back.llm.length).toBe(t.llm.length);
    expect(back.llm.id.at(5)).toBe(before.id);
    expect(back.routes.values[back.llm.route[5]!]).toBe(before.route);
    expect(back.traces.values.length).toBe(before.trace);
    expect(back.tags).toEqual(t.tags);
    // A second message of the same traffic shares the same memory (no second copy).
    expect(shareTraffic(t).llm.latencyMs).toBe(t.llm.latencyMs);
  });

  it("replays with the candidate's pass on the helper: the same answer as on one thread", async () => {
    const { h, calls } = watched(helper);
    const here = await runReplay({ traffic: traffic(), live, candidate, prices });
    const progress: number[] = [];
    const there = await runReplay({ traffic: traffic(), live, candidate, prices, helper: h, onProgress: (f) => progress.push(f) });
    expect(calls).toEqual(["simulate"]);
    expect(withoutTime(there)).toEqual(withoutTime(here));
    expect(there.overall.predicted?.costPerRequestUsd).not.toBe(there.overall.backtest?.costPerRequestUsd);
    expect(progress.at(-1)).toBe(1);
  });

  it("replays code changes on the helper too (context window, streaming)", async () => {
    const code = { stream: true, contextWindowTurns: 4 };
    const here = await runReplay({ traffic: traffic(), live, candidate, code, prices });
    const there = await runReplay({ traffic: traffic(), live, candidate, code, prices, helper });
    expect(withoutTime(there)).toEqual(withoutTime(here));
  });

  it("finds the same findings with half the route groups on the helper", async () => {
    const { h, calls } = watched(helper);
    const here = await analyzeFindingsInSteps(traffic(), { prices, projectSlug: "demo" });
    const there = await analyzeFindingsInSteps(traffic(), { prices, projectSlug: "demo", helper: h });
    expect(calls).toEqual(["findings"]);
    expect(there).toEqual(here);
    expect(here.findings.length).toBeGreaterThan(5);
  });

  it("falls back to this thread when the helper fails, with the same answers", async () => {
    const { h, calls } = watched(helper, true);
    const t = traffic();
    const replayHere = await runReplay({ traffic: traffic(), live, candidate, prices });
    expect(withoutTime(await runReplay({ traffic: t, live, candidate, prices, helper: h }))).toEqual(withoutTime(replayHere));
    expect(await analyzeFindingsInSteps(t, { prices, projectSlug: "demo", helper: h })).toEqual(await analyzeFindingsInSteps(traffic(), { prices, projectSlug: "demo" }));
    expect(calls).toEqual(["simulate", "findings"]);
  });

  it("stops a cancelled replay on both threads, and takes the next one", async () => {
    const controller = new AbortController();
    const cancelled = runReplay({ traffic: traffic(), live, candidate, prices, helper, signal: controller.signal, onProgress: () => controller.abort(new Error("closed by the user")) });
    await expect(cancelled).rejects.toThrow("closed by the user");
    const next = await runReplay({ traffic: traffic(), live, candidate, prices, helper });
    expect(next.notEnoughData).toBeNull();
  });

  it("answers the replay on this thread once the helper's thread is gone", async () => {
    const gone = startAnalysisHelper({}, { minCalls: 0 })!;
    await gone.close();
    const here = await runReplay({ traffic: traffic(), live, candidate, prices });
    expect(withoutTime(await runReplay({ traffic: traffic(), live, candidate, prices, helper: gone }))).toEqual(withoutTime(here));
  });

  it("replaces an idle thread with a fresh one (its shared memory is then freed), and the next call runs on it", async () => {
    const h = startAnalysisHelper({}, { minCalls: 0, recycleIdleMs: 50 })!;
    try {
      const first = h.stats().thread;
      const here = await runReplay({ traffic: traffic(), live, candidate, prices });
      expect(withoutTime(await runReplay({ traffic: traffic(), live, candidate, prices, helper: h }))).toEqual(withoutTime(here));
      await new Promise((r) => setTimeout(r, 300));
      expect(h.stats().thread).not.toBe(first);
      const { h: w, calls } = watched(h);
      expect(withoutTime(await runReplay({ traffic: traffic(), live, candidate, prices, helper: w }))).toEqual(withoutTime(here));
      expect(calls).toEqual(["simulate"]);
      expect(h.stats()).toMatchObject({ tasks: 2, failures: 0, restarts: 0, down: false, running: 0 });
    } finally {
      await h.close();
    }
  });

  it("falls back to this thread when the window cannot be sent, leaving nothing pending", async () => {
    const t = traffic();
    // A tags object that structured clone refuses (a function): the message cannot be made.
    (t.tags as unknown[]).push({ bad: () => 1 });
    const h = startAnalysisHelper({}, { minCalls: 0 })!;
    try {
      const here = await runReplay({ traffic: traffic(), live, candidate, prices });
      expect(withoutTime(await runReplay({ traffic: t, live, candidate, prices, helper: h }))).toEqual(withoutTime(here));
      expect(h.stats()).toMatchObject({ running: 0, down: false });
    } finally {
      await h.close();
    }
  });

  it("holds a script open while it waits on the helper, and lets it end once idle", () => {
    // Nothing else keeps this process alive: an unreferenced busy thread would let it exit mid-await, silently.
    const code = `
      const { startAnalysisHelper } = await import(${JSON.stringify(new URL("./helper-start.ts", import.meta.url).href)});
      const { runReplay } = await import(${JSON.stringify(new URL("../replay/run-replay.ts", import.meta.url).href)});
      const { manifestTraffic } = await import(${JSON.stringify(new URL("../testing/manifest-traffic.ts", import.meta.url).href)});
      const { REFERENCE_MANIFEST } = await import(${JSON.stringify(new URL("../../demo/reference/manifest.ts", import.meta.url).href)});
      const { worldPrices } = await import(${JSON.stringify(new URL("../testing/traffic-world.ts", import.meta.url).href)});
      const { RoutingPolicy } = await import(${JSON.stringify(new URL("../../policies/routing-policy-schema.ts", import.meta.url).href)});
      const { CachePolicy } = await import(${JSON.stringify(new URL("../../policies/cache-policy-schema.ts", import.meta.url).href)});
      const helper = startAnalysisHelper({}, { minCalls: 0 });
      const live = { routing: RoutingPolicy.parse({}), cache: CachePolicy.parse({}) };
      const candidate = { routing: live.routing, cache: CachePolicy.parse({ default: { ttlSec: 600 } }) };
      const answer = await runReplay({ traffic: manifestTraffic(REFERENCE_MANIFEST, { seed: 7, requests: 3000 }), live, candidate, prices: worldPrices(), helper });
      console.log("answered", answer.requests, helper.stats().tasks);
    `;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", code], { encoding: "utf8", timeout: 60_000 });
    expect(out).toMatch(/^answered \d+ 1$/m);
  });

  it("is not started when PITWALL_ADVISOR_HELPER=0", () => {
    expect(startAnalysisHelper({ PITWALL_ADVISOR_HELPER: "0" })).toBeNull();
  });
});

describe("the plan with the helper", () => {
  it("projects the same plan with two phases at a time, one on each thread", async () => {
    const { projectPlan } = await import("../plan-project");
    const { analyzeFindings } = await import("../findings/analyze-findings");
    const t = traffic();
    const findings = analyzeFindings(t, { prices, projectSlug: "demo" }).findings;
    const here = await projectPlan({ traffic: traffic(), findings, live, prices });
    const { h, calls } = watched(helper);
    const progress: number[] = [];
    const there = await projectPlan({ traffic: t, findings, live, prices, helper: h, onProgress: (f) => progress.push(f) });
    expect(there).toEqual(here);
    expect(here.phases.length).toBeGreaterThan(2);
    // Every second phase's pass went to the helper; the baseline (the live policy) is one pass, on this thread.
    expect(calls).toEqual(Array.from({ length: Math.floor(here.phases.length / 2) }, () => "simulate"));
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true);
    expect(progress.at(-1)).toBe(1);
  });
});
