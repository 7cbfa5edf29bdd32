import { describe, expect, it } from "vitest";
import { applyRoutePlan } from "./apply-route-plan";
import type { RoutePlan } from "./plan-route";

const plan = (over: Partial<RoutePlan> = {}): RoutePlan => ({ model: "claude-sonnet-4-6", fallbacks: [], policyVersion: 1, retryBudgetMs: 0, ...over });
const request = { model: "claude-sonnet-4-6", max_tokens: 500, system: "x".repeat(20_000), messages: [{ role: "user", content: "hi" }] };

describe("applyRoutePlan", () => {
  it("returns the very request when the plan changes nothing", () => {
    const out = applyRoutePlan(request, plan());
    expect(out).toEqual({ body: request, changed: false, maxTokensCapped: false, promptCachingAdded: [] });
    expect(out.body).toBe(request);
  });

  it("swaps the model, caps max_tokens only above the cap, and adds prompt caching, leaving the input alone", () => {
    const before = structuredClone(request);
    const out = applyRoutePlan(request, plan({ model: "claude-haiku-4-5", maxTokensCap: 100, promptCaching: { ttl: "5m", minTokens: 1024 } }));
    expect(out.body).toMatchObject({ model: "claude-haiku-4-5", max_tokens: 100, system: [{ type: "text", text: request.system, cache_control: { type: "ephemeral", ttl: "5m" } }] });
    expect(out).toMatchObject({ changed: true, maxTokensCapped: true, promptCachingAdded: ["system"] });
    expect(request).toEqual(before);
    expect(applyRoutePlan(request, plan({ maxTokensCap: 1000 })).maxTokensCapped).toBe(false);
  });
});
