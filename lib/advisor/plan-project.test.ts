import { describe, expect, it } from "vitest";
import { CachePolicy } from "../policies/cache-policy-schema";
import { RoutingPolicy } from "../policies/routing-policy-schema";
import { projectPlan } from "./plan-project";
import { finding } from "./testing/findings";
import { clientRequests, recordWorld, worldPrices } from "./testing/traffic-world";

const prices = worldPrices();
const MODEL = "claude-sonnet-4-5";

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
});
