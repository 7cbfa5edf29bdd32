import { describe, expect, it } from "vitest";
import { finding } from "./testing/findings";
import { contextOptionRows, findingLinks, gapHistogramRows, missReasonRows, ttlCurveRows } from "./findings-view";

describe("findings view", () => {
  it("links example events and traces to their views, and only a playground path of this project", () => {
    const f = finding("model_right_sizing", "triage", { playgroundPath: "/p/demo/playground?c=abc" });
    f.evidence.exampleEventIds = ["e 1"];
    f.evidence.exampleTraceIds = ["t1"];
    expect(findingLinks(f, "demo")).toEqual({ events: [{ id: "e 1", href: "/p/demo/events?event=e%201" }], traces: [{ id: "t1", href: "/p/demo/traces/t1" }], playground: "/p/demo/playground?c=abc" });
    expect(findingLinks(finding("model_right_sizing", "x", { playgroundPath: "https://evil.example/p/demo/playground?c=1" }), "demo").playground).toBeNull();
  });

  it("marks the recommended TTL on the curve and labels durations", () => {
    const f = finding("response_cache", "faq", { ttlCurve: [{ ttlSec: 60, hitRate: 0.1 }, { ttlSec: 600, hitRate: 0.3 }, { ttlSec: 86_400, hitRate: 0.32 }], recommendedTtlSec: 600 });
    expect(ttlCurveRows(f)).toEqual([
      { ttlSec: 60, label: "1 min", hitRate: 0.1, recommended: false },
      { ttlSec: 600, label: "10 min", hitRate: 0.3, recommended: true },
      { ttlSec: 86_400, label: "1 d", hitRate: 0.32, recommended: false },
    ]);
    expect(ttlCurveRows(finding("streaming", "x"))).toEqual([]);
  });

  it("cuts a histogram after its last filled bin and names the open last bin", () => {
    const f = finding("prompt_caching", "faq", { gapHistogramSec: [{ upToSec: 10, count: 2 }, { upToSec: 300, count: 0 }, { upToSec: -1, count: 1 }] });
    expect(gapHistogramRows(f)).toEqual([{ label: "≤ 10 s", count: 2 }, { label: "≤ 5 min", count: 0 }, { label: "> 5 min", count: 1 }]);
    expect(gapHistogramRows(finding("prompt_caching", "faq", { gapHistogramSec: [{ upToSec: 10, count: 2 }, { upToSec: 300, count: 0 }] }))).toEqual([{ label: "≤ 10 s", count: 2 }]);
  });

  it("lists miss reasons largest first without zeros", () => {
    expect(missReasonRows(finding("prompt_caching", "faq", { missReasons: { first_use: 1, expired: 5, below_minimum: 0 } }))).toEqual([
      { reason: "expired", count: 5 },
      { reason: "first use", count: 1 },
    ]);
  });

  it("sets a context-growth finding's sliding window and summary side by side", () => {
    const f = finding("context_growth", "chat", {
      slidingWindow: { turns: 4, tokensSaved: 60_000, tokensSavedShare: 0.1875, usdPerDay: 0.09 },
      summary: { atTurns: 4, summaryTokens: 2000, tokensSaved: 80_000, tokensSavedShare: 0.25, usdPerDay: 0.12 },
    });
    expect(contextOptionRows(f)).toEqual([
      { option: "Sliding window of 4 turns", keeps: "the first prompt and the last 4 turns", tokensSaved: 60_000, share: 0.1875, usdPerDay: 0.09 },
      { option: "Summary at 4 turns", keeps: "the first prompt, a ~2,000-token summary, then each turn", tokensSaved: 80_000, share: 0.25, usdPerDay: 0.12 },
    ]);
    expect(contextOptionRows(finding("context_growth", "chat", { windowTurns: 4 }))).toEqual([]);
    expect(contextOptionRows(finding("streaming", "x"))).toEqual([]);
  });
});
