import { describe, expect, it } from "vitest";
import { estimateRequestTokens } from "./estimate-tokens";
import { requestFromEvent } from "./event-request";

describe("requestFromEvent", () => {
  it("rebuilds a request with the event's model, counts and approximate prompt size", () => {
    const out = requestFromEvent({
      model: "claude-haiku-4-5",
      requestedModel: "claude-sonnet-4-5",
      route: "support",
      agent: null,
      tags: { team: "a" },
      userId: "u1",
      inputTokens: 1500,
      cacheReadTokens: 500,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 300,
      systemTokens: 400,
      messageCount: 3,
      toolCount: 2,
    });
    expect(out.route).toBe("support");
    expect(out.agent).toBeUndefined();
    expect(out.tags).toEqual({ team: "a" });
    const r = out.request as { model: string; max_tokens: number; messages: unknown[]; tools: unknown[]; metadata: unknown };
    expect(r.model).toBe("claude-sonnet-4-5");
    expect(r.max_tokens).toBe(300);
    expect(r.messages).toHaveLength(3);
    expect(r.tools).toHaveLength(2);
    expect(r.metadata).toEqual({ user_id: "u1" });
    const estimate = estimateRequestTokens(out.request);
    expect(Math.abs(estimate - 2000) / 2000).toBeLessThan(0.05);
  });
});
