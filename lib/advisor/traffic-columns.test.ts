import { describe, expect, it } from "vitest";
import { KIND_TOOL, RESPONSE_CACHE_HIT, str, trafficFromRows, type TrafficRow } from "./traffic-columns";

const row = (over: Partial<TrafficRow>): TrafficRow => ({
  id: "e", ts: new Date(0), kind: "llm", status: "ok", route: null, agent: null, model: "claude-sonnet-4-5", requestedModel: null,
  userId: null, sessionId: null, traceId: null, parentId: null, promptHash: null, systemHash: null, tags: {}, latencyMs: 100, ttftMs: null,
  streamed: false, inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, responseCache: "none",
  costNanoUsd: 123n, costSource: "computed", systemTokens: null, messageCount: 1, toolCount: 0, policyVersion: null, ...over,
});

describe("trafficFromRows", () => {
  it("sorts by time, dictionary-encodes strings and keeps nulls as -1 / NaN", () => {
    const t = trafficFromRows({ projectId: "p", from: new Date(0), to: new Date(10_000) }, [
      row({ id: "b", ts: new Date(2000), route: "faq", kind: "tool", tags: { env: "prod" } }),
      row({ id: "a", ts: new Date(1000), route: "faq", responseCache: "hit", ttftMs: 40, tags: { env: "prod" } }),
      row({ id: "c", ts: new Date(3000), route: null }),
    ]);
    expect(t.id).toEqual(["a", "b", "c"]);
    expect(t.route.dict).toEqual(["faq"]);
    expect([...t.route.codes]).toEqual([0, 0, -1]);
    expect(str(t.route, 2)).toBeNull();
    expect(t.kind[1]).toBe(KIND_TOOL);
    expect(t.responseCache[0]).toBe(RESPONSE_CACHE_HIT);
    expect(t.ttftMs[0]).toBe(40);
    expect(Number.isNaN(t.ttftMs[1])).toBe(true);
    expect(Number.isNaN(t.systemTokens[0])).toBe(true);
    expect(t.tags.codes[0]).toBe(t.tags.codes[1]);
    expect(t.costNanoUsd[0]).toBe(123);
  });
});
