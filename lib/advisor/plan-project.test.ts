import { describe, expect, it } from "vitest";
import { CachePolicy } from "../policies/cache-policy-schema";
import { RoutingPolicy } from "../policies/routing-policy-schema";
import { projectPlan } from "./plan-project";
import { runReplay } from "./replay/run-replay";
import { fitTimings } from "./replay/timing-fit";
import { trafficOf } from "./testing/traffic-rows";
import { finding } from "./testing/findings";
import { clientRequests, recordWorld, recordWorldRows, worldPrices } from "./testing/traffic-world";

const prices = worldPrices();
const MODEL = "claude-sonnet-4-5";

/** recordWorld, with the nc-route calls on a model that has no price (cost 0, unpriced, as recorded). */
function withUnpriced(reqs: Parameters<typeof recordWorldRows>[0], policy: Parameters<typeof recordWorldRows>[1]) {
  const rows = recordWorldRows(reqs, policy).map((r) => (r.route === "nc-route" ? { ...r, model: "claude-nonexistent-9", requestedModel: "claude-nonexistent-9", costNano: 0, unpriced: true } : r));
  return trafficOf(rows, [], { projectId: "p", fromMs: reqs[0]!.ts, toMs: reqs.at(-1)!.ts + 1 });
}

describe("projectPlan", () => {
  // Prompt caching is already live: a phase that turns it on changes nothing in the replay.
  const reqs = clientRequests({ seed: 3, count: 400, routes: ["faq", "agent"], model: MODEL, repeatShare: 0.3 });
  const traffic = recordWorld(reqs, { promptCaching: "5m" });
  const live = { routing: RoutingPolicy.parse({ default: { promptCaching: { enabled: true, ttl: "5m" } } }), cache: CachePolicy.parse({}) };
  const findings = [finding("response_cache", "faq", { recommendedTtlSec: 3600 }, 3), finding("prompt_caching", "faq", { recommendedTtl: "5m" }, 4.82)];
  const days = (traffic.toMs - traffic.fromMs) / 86_400_000;

  it("gives each phase the saving its projection shows, not the finding's estimate", async () => {
    const plan = await projectPlan({ traffic, findings, live, prices });
    const [rc, pc] = plan.phases;
    expect(pc!.projection!.costPerRequestUsd).toBe(rc!.projection!.costPerRequestUsd);
    expect(pc!.usdPerDaySaved).toBe(0);
    const base = plan.baseline.costPerRequestUsd!;
    const want = ((base - rc!.projection!.costPerRequestUsd!) * rc!.projection!.requests) / days;
    expect(want).toBeGreaterThan(0);
    // The first phase is measured against the live policy's replay (within its backtest error of the baseline).
    expect(Math.abs(rc!.usdPerDaySaved - want) / want).toBeLessThan(0.05);
    expect(rc!.usdPerDaySaved).not.toBe(3);
  });

  it("keeps the plan's cost figures when one route's calls have no price, and says why", async () => {
    // Three calls on a model with no price row, recorded as the gateway records them (cost 0, unpriced).
    const odd = clientRequests({ seed: 4, count: 3, routes: ["nc-route"], model: MODEL });
    const mixed = withUnpriced([...reqs, ...odd].sort((a, b) => a.ts - b.ts), { promptCaching: "5m" });
    const plan = await projectPlan({ traffic: mixed, findings, live, prices });
    expect(plan.baseline.costPerRequestUsd).not.toBeNull();
    expect(plan.backtestError!.costPerRequestUsd).not.toBeNull();
    for (const p of plan.phases) expect(p.projection!.costPerRequestUsd).not.toBeNull();
    expect(plan.notes.join(" ")).toMatch(/^No price for claude-nonexistent-9 \(nc-route\): cost per request leaves that route out/);
  });

  it("counts a phase's saving over the priced calls only, when a route is left out of cost", async () => {
    // Many unpriced calls: counting them as if each saved the priced calls' drop overstates the saving.
    const odd = clientRequests({ seed: 4, count: 200, routes: ["nc-route"], model: MODEL });
    const mixed = withUnpriced([...reqs, ...odd].sort((a, b) => a.ts - b.ts), { promptCaching: "5m" });
    const mixedDays = Math.max(mixed.toMs - mixed.fromMs, 60_000) / 86_400_000;
    const plan = await projectPlan({ traffic: mixed, findings, live, prices });
    const p = plan.phases[0]!.projection!;
    expect(p.costExcludedRoutes).toEqual(["nc-route"]);
    expect(p.costRequests).toBe(p.requests - 200);
    // Phase 1 is measured against the live policy's replay of the same window.
    const liveReplay = await runReplay({ traffic: mixed, live, candidate: live, prices, timing: fitTimings(mixed) });
    const drop = liveReplay.overall.predicted!.costPerRequestUsd! - p.costPerRequestUsd!;
    expect(drop).toBeGreaterThan(0);
    expect(plan.phases[0]!.usdPerDaySaved).toBeCloseTo((drop * p.costRequests!) / mixedDays, 5);
    expect(plan.phases[0]!.usdPerDaySaved).toBeLessThan((drop * p.requests) / mixedDays - 0.01);
  });
});
