import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { callEvent, type CallOutcome } from "./call-event";
import { countTokensEvent } from "./count-tokens-event";

const sha = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 32);
const outcome = (request: Record<string, unknown>): CallOutcome => ({
  id: "gw_0",
  startedAtMs: Date.UTC(2026, 11, 2),
  latencyMs: 1,
  ttftMs: null,
  hints: { route: null, agent: null, sessionId: null, tags: {}, cacheTtlSec: null, cacheMode: "default", traceId: null, parentId: null },
  request,
  requestedModel: "claude-haiku-4-5",
  servedModel: "claude-haiku-4-5",
  streamed: false,
  status: "ok",
  httpStatus: 200,
  errorType: null,
  usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 },
  responseCache: "none",
  policyVersion: null,
  cachePolicyVersion: null,
  attempts: [],
  stopReason: null,
});

describe("callEvent hashes", () => {
  // Stored events are compared by these hashes across versions: they must stay the hashes of
  // JSON.stringify([system ?? null, messages, tools]) and JSON.stringify(system).
  const messages = [{ role: "user", content: [{ type: "text", text: "héllo \"quoted\" \u2028" }] }];
  const tools = [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }];
  const cases: [string, Record<string, unknown>][] = [
    ["no system", { model: "m", messages }],
    ["a string system", { model: "m", system: "Be brief.", messages }],
    ["system blocks and tools", { model: "m", system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }], messages, tools }],
    ["a null system", { model: "m", system: null, messages }],
  ];
  for (const [name, request] of cases) {
    it(`are unchanged with ${name}`, () => {
      const e = callEvent(outcome(request));
      expect(e.promptHash).toBe(sha(JSON.stringify([request.system ?? null, messages, request.tools ?? []])));
      expect(e.systemHash).toBe(request.system === undefined ? null : sha(JSON.stringify(request.system)));
    });
  }
});

describe("gateway events", () => {
  const hints = { route: "support", agent: "triage", sessionId: "s1", tags: { team: "a" }, cacheTtlSec: null, cacheMode: "default" as const, traceId: "t1", parentId: null };

  /** The basics both gateway events take from the hints above, as stored. */
  const PINNED_BASICS = { timestamp: "2026-12-02T00:00:00.000Z", agent: "triage", route: "support", sessionId: "s1", traceId: "t1", parentId: null, provider: "anthropic" };

  it("a model call's event carries exactly the basics, its own fields and the five token counts", () => {
    const request = { model: "claude-haiku-4-5", system: "Be brief.", messages: [{ role: "user", content: "hi" }], metadata: { user_id: "u1" } };
    const e = callEvent({
      ...outcome(request),
      hints,
      ttftMs: -2,
      latencyMs: 12.5,
      usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 3, cacheWrite5mTokens: 2, cacheWrite1hTokens: 1 },
      ruleId: "r1",
      cachePolicyVersion: 4,
      stopReason: "end_turn",
    });
    expect(e).toStrictEqual({
      id: "gw_0",
      ...PINNED_BASICS,
      model: "claude-haiku-4-5",
      requestedModel: "claude-haiku-4-5",
      status: "ok",
      errorType: null,
      httpStatus: 200,
      latencyMs: 12.5,
      policyVersion: null,
      tags: { team: "a" },
      kind: "llm",
      userId: "u1",
      ttftMs: 0,
      streamed: false,
      inputTokens: 10,
      outputTokens: 5,
      cacheReadTokens: 3,
      cacheWrite5mTokens: 2,
      cacheWrite1hTokens: 1,
      responseCache: "none",
      requestedCacheTtlSec: null,
      promptHash: sha(JSON.stringify([request.system, request.messages, []])),
      systemHash: sha(JSON.stringify(request.system)),
      systemTokens: 3,
      messageCount: 1,
      toolCount: 0,
      metadata: { gatewayRequestId: "gw_0", ruleId: "r1", cachePolicyVersion: 4, stopReason: "end_turn" },
    });
  });

  it("a model call's event carries the response-cache TTL its caller asked for, and 0 for no-store", () => {
    const request = { model: "claude-haiku-4-5", messages: [{ role: "user", content: "hi" }] };
    expect(callEvent({ ...outcome(request), hints: { ...hints, cacheTtlSec: 3600 } }).requestedCacheTtlSec).toBe(3600);
    expect(callEvent({ ...outcome(request), hints: { ...hints, cacheTtlSec: 3600, cacheMode: "no-store" } }).requestedCacheTtlSec).toBe(0);
    expect(callEvent({ ...outcome(request), hints: { ...hints, cacheMode: "no-cache" } }).requestedCacheTtlSec).toBeNull();
  });

  it("a count_tokens call's event carries the basics and zero billed tokens", () => {
    const e = countTokensEvent({
      id: "gw_1",
      startedAtMs: Date.UTC(2026, 11, 2),
      latencyMs: -1,
      hints,
      requestedModel: "claude-haiku-4-5",
      servedModel: "",
      status: "ok",
      httpStatus: 200,
      errorType: null,
      countedInputTokens: 42,
      messageCount: 2,
      toolCount: 1,
      policyVersion: 3,
    });
    expect(e).toStrictEqual({
      id: "gw_1",
      ...PINNED_BASICS,
      model: "unknown",
      requestedModel: "claude-haiku-4-5",
      status: "ok",
      errorType: null,
      httpStatus: 200,
      latencyMs: 0,
      policyVersion: 3,
      tags: { team: "a" },
      kind: "count_tokens",
      streamed: false,
      inputTokens: 0,
      outputTokens: 0,
      responseCache: "none",
      messageCount: 2,
      toolCount: 1,
      metadata: { gatewayRequestId: "gw_1", countedInputTokens: 42 },
    });
  });
});
