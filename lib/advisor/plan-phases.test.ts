import { describe, expect, it } from "vitest";
import { CachePolicy } from "../policies/cache-policy-schema";
import { RoutingPolicy } from "../policies/routing-policy-schema";
import { buildPhases } from "./plan-phases";
import { finding } from "./testing/findings";

const live = { routing: RoutingPolicy.parse({ rules: [{ id: "keep", match: { route: "x" }, action: { model: "claude-opus-4-1" } }] }), cache: CachePolicy.parse({}) };

describe("buildPhases", () => {
  it("orders phases like the reference case and makes each document cumulative and valid", () => {
    const phases = buildPhases(
      [
        finding("model_right_sizing", "faq", { candidateModel: "claude-haiku-4-5", maxInputTokens: 2000 }),
        finding("streaming", "faq"),
        finding("response_cache", "faq", { recommendedTtlSec: 900 }),
        finding("prompt_caching", "faq", { recommendedTtl: "1h" }),
        finding("context_growth", "agent", { windowTurns: 8 }),
      ],
      live,
    );
    expect(phases.map((p) => p.id)).toEqual(["response_cache", "prompt_caching", "streaming", "context_growth", "model_right_sizing"]);
    const [rc, pc, st, cg, ms] = phases;
    expect(CachePolicy.parse(rc!.policy!.document).rules[0]).toMatchObject({ id: "advisor-cache-faq", ttlSec: 900, match: { route: "faq" } });
    const pcDoc = RoutingPolicy.parse(pc!.policy!.document);
    expect(pcDoc.default.promptCaching).toEqual({ enabled: true, ttl: "1h" });
    expect(pcDoc.rules[0]!.action).toMatchObject({ model: "claude-opus-4-1", promptCaching: { enabled: true, ttl: "1h" } });
    expect(st!.type).toBe("code");
    expect(st!.code!.snippet).toMatch(/messages\.stream/);
    expect(cg!.codeChanges).toEqual({ stream: true, contextWindowTurns: 8 });
    const msDoc = RoutingPolicy.parse(ms!.policy!.document);
    // Right-sizing goes first and keeps the prompt caching of the phase before it.
    expect(msDoc.rules[0]).toMatchObject({ id: "advisor-model-faq", match: { route: "faq", inputTokens: { max: 2000 } }, action: { model: "claude-haiku-4-5", promptCaching: { enabled: true, ttl: "1h" } } });
    expect(msDoc.rules[1]!.id).toBe("keep");
    expect(ms!.policies.cache.rules[0]!.id).toBe("advisor-cache-faq");
  });

  it("leaves out a right-sizing finding without a candidate model", () => {
    expect(buildPhases([finding("model_right_sizing", "faq", {})], live)).toEqual([]);
  });
});
