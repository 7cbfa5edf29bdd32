import { describe, expect, it } from "vitest";
import { canonicalJson } from "../canonical-json";
import { responseCacheKey } from "./cache-key";

const base = {
  model: "claude-sonnet-4-5",
  max_tokens: 256,
  system: "You are terse.",
  messages: [{ role: "user", content: "What is 2+2?" }],
  temperature: 0,
};
const scope = { projectId: "11111111-1111-1111-1111-111111111111" };

describe("canonicalJson", () => {
  it("sorts keys at every depth and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":2,"z":1}]},"b":1}');
    expect(canonicalJson([undefined, "s"])).toBe('[null,"s"]');
  });
});

describe("responseCacheKey", () => {
  const key = responseCacheKey(base, scope);

  it("is a sha256 hex digest, stable across calls", () => {
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(responseCacheKey(structuredClone(base), scope)).toBe(key);
  });

  it("ignores key order, stream, metadata and prompt-caching breakpoints", () => {
    const reordered = { temperature: 0, messages: [{ content: "What is 2+2?", role: "user" }], system: "You are terse.", max_tokens: 256, model: "claude-sonnet-4-5" };
    expect(responseCacheKey(reordered, scope)).toBe(key);
    expect(responseCacheKey({ ...base, stream: true, metadata: { user_id: "u1" } }, scope)).toBe(key);
    const cached = {
      ...base,
      system: [{ type: "text", text: "You are terse.", cache_control: { type: "ephemeral", ttl: "1h" } }],
      messages: [{ role: "user", content: [{ type: "text", text: "What is 2+2?", cache_control: { type: "ephemeral" } }] }],
    };
    expect(responseCacheKey(cached, scope)).toBe(key);
  });

  it("changes with every field that changes the answer, known or not", () => {
    const variants: Record<string, unknown>[] = [
      { ...base, model: "claude-haiku-4-5" },
      { ...base, max_tokens: 257 },
      { ...base, system: "You are verbose." },
      { ...base, messages: [{ role: "user", content: "What is 2+3?" }] },
      { ...base, messages: [...base.messages, { role: "assistant", content: "4" }] },
      { ...base, temperature: 1 },
      { ...base, top_p: 0.9 },
      { ...base, top_k: 5 },
      { ...base, stop_sequences: ["\n"] },
      { ...base, tools: [{ name: "calc", input_schema: { type: "object" } }] },
      { ...base, tool_choice: { type: "any" } },
      { ...base, thinking: { type: "enabled", budget_tokens: 1024 } },
      { ...base, some_future_field: true },
    ];
    const keys = variants.map((v) => responseCacheKey(v, scope));
    expect(new Set([key, ...keys]).size).toBe(variants.length + 1);
  });

  it("binds the key to the project, the user and the variant", () => {
    expect(responseCacheKey(base, { projectId: "22222222-2222-2222-2222-222222222222" })).not.toBe(key);
    const u1 = responseCacheKey(base, { ...scope, userId: "u1" });
    expect(u1).not.toBe(key);
    expect(responseCacheKey(base, { ...scope, userId: "u2" })).not.toBe(u1);
    expect(responseCacheKey(base, { ...scope, variant: "anthropic-beta:foo" })).not.toBe(key);
  });

  it("does not let a tool schema property named cache_control vanish from the key", () => {
    const withProp = { ...base, tools: [{ name: "t", input_schema: { type: "object", properties: { cache_control: { type: "string" } } } }] };
    const without = { ...base, tools: [{ name: "t", input_schema: { type: "object", properties: {} } }] };
    expect(responseCacheKey(withProp, scope)).not.toBe(responseCacheKey(without, scope));
  });
});
