import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { callEvent, type CallOutcome } from "./call-event";

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
