import { describe, expect, it } from "vitest";
import { mapSpan } from "./genai-span";
import { decodeJsonRequest } from "./otlp-json";
import type { SpanResult } from "./otlp-span";
import { attrs, chatAttrs, jsonRequest, jsonSpan } from "./testing/otlp-spans";
import { tokenSemanticsOf } from "./token-semantics";

function decodeOne(span: Record<string, unknown>, scope?: string): SpanResult {
  const body = Buffer.from(JSON.stringify(jsonRequest([span], scope)));
  return [...decodeJsonRequest(body).spans()][0]!;
}

function mapOne(span: Record<string, unknown>, scope?: string) {
  const decoded = decodeOne(span, scope);
  if (!("span" in decoded)) throw new Error(`decode rejected: ${decoded.rejected}`);
  return mapSpan(decoded.span);
}

function eventOf(span: Record<string, unknown>, scope?: string) {
  const m = mapOne(span, scope);
  if (!("event" in m)) throw new Error(`not an event: ${JSON.stringify(m)}`);
  return m.event;
}

const cached = { "gen_ai.usage.cache_read.input_tokens": 600, "gen_ai.usage.cache_creation.input_tokens": 100 };

describe("GenAI span mapping", () => {
  it("maps a chat span: models, usage, latency from span timing, ids, agent from service.name", () => {
    const span = jsonSpan({ parentSpanId: "00f067aa0ba902b7" }, chatAttrs({ "gen_ai.response.time_to_first_chunk": 0.25 }));
    const e = eventOf(span);
    expect(e).toMatchObject({
      id: `${span.traceId}-${span.spanId}`,
      kind: "llm",
      traceId: span.traceId,
      parentId: `${span.traceId}-00f067aa0ba902b7`,
      agent: "agent-a",
      provider: "anthropic",
      model: "claude-haiku-4-5-20251001",
      requestedModel: "claude-haiku-4-5",
      latencyMs: 1500,
      ttftMs: 250,
      streamed: true,
      status: "ok",
      inputTokens: 1000,
      outputTokens: 200,
    });
  });

  it("spec scope: cache tokens are subtracted from gen_ai.usage.input_tokens (Anthropic's meaning)", () => {
    const e = eventOf(jsonSpan({}, chatAttrs(cached)), "@opentelemetry/instrumentation-anthropic");
    expect(e).toMatchObject({ inputTokens: 300, cacheReadTokens: 600, cacheWrite5mTokens: 100 });
  });

  it("OpenLLMetry scope (@traceloop/instrumentation-anthropic): counted like the spec, legacy cache spellings read", () => {
    const span = jsonSpan(
      {},
      chatAttrs({ "gen_ai.usage.cache_read_input_tokens": 600, "gen_ai.usage.cache_creation_input_tokens": 100 }),
    );
    expect(tokenSemanticsOf("@traceloop/instrumentation-anthropic")).toBe("spec");
    expect(eventOf(span, "@traceloop/instrumentation-anthropic")).toMatchObject({ inputTokens: 300, cacheReadTokens: 600, cacheWrite5mTokens: 100 });
  });

  it("OpenInference scope: llm.token_count.prompt is Anthropic's raw input and is stored as is", () => {
    const span = jsonSpan(
      { kind: 1 },
      attrs({
        "openinference.span.kind": "LLM",
        "llm.model_name": "claude-haiku-4-5",
        "llm.provider": "anthropic",
        "llm.token_count.prompt": 1000,
        "llm.token_count.completion": 200,
        "llm.token_count.prompt_details.cache_read": 600,
        "llm.token_count.prompt_details.cache_write": 100,
      }),
    );
    expect(tokenSemanticsOf("@arizeai/openinference-instrumentation-anthropic")).toBe("openinference");
    expect(eventOf(span, "@arizeai/openinference-instrumentation-anthropic")).toMatchObject({
      model: "claude-haiku-4-5",
      inputTokens: 1000,
      outputTokens: 200,
      cacheReadTokens: 600,
      cacheWrite5mTokens: 100,
    });
  });

  it("an unknown scope is read with the spec's semantics", () => {
    expect(tokenSemanticsOf("my-homegrown-tracer")).toBe("spec");
    expect(eventOf(jsonSpan({}, chatAttrs(cached)), "my-homegrown-tracer")).toMatchObject({ inputTokens: 300 });
  });

  it("rejects spec input tokens smaller than their own cache tokens, naming the scope", () => {
    const m = mapOne(jsonSpan({}, chatAttrs({ "gen_ai.usage.input_tokens": 10, ...cached })), "my-homegrown-tracer");
    expect(m).toEqual({ rejected: expect.stringMatching(/input_tokens \(10\) is smaller than its cache tokens \(700\).*my-homegrown-tracer/) });
  });

  it("execute_tool spans become kind tool with the tool's name", () => {
    const e = eventOf(jsonSpan({ name: "execute_tool search" }, attrs({ "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search" })));
    expect(e).toMatchObject({ kind: "tool", latencyMs: 1500, metadata: { name: "search", source: "otlp" } });
    expect(e.model).toBeUndefined();
  });

  it("status code 2 becomes an error event with error.type", () => {
    const e = eventOf(jsonSpan({ status: { code: 2, message: "overloaded" } }, chatAttrs({ "error.type": "overloaded_error" })));
    expect(e).toMatchObject({ status: "error", errorType: "overloaded_error" });
  });

  it("ignores spans that are not GenAI, and GenAI spans that are not calls", () => {
    expect(mapOne(jsonSpan({ name: "GET /" }, attrs({ "http.request.method": "GET" })))).toEqual({ ignored: "not a GenAI span" });
    expect(mapOne(jsonSpan({}, attrs({ "gen_ai.operation.name": "invoke_agent" })))).toMatchObject({ ignored: expect.any(String) });
  });

  it("int64 values read the same whether sent as strings or as numbers", () => {
    const asString = jsonSpan({}, chatAttrs({ "gen_ai.usage.input_tokens": 1000n }));
    const asNumber = jsonSpan({ traceId: asString.traceId, spanId: asString.spanId, startTimeUnixNano: Number(asString.startTimeUnixNano), endTimeUnixNano: Number(asString.endTimeUnixNano) }, chatAttrs());
    const a = eventOf(asString);
    const b = eventOf(asNumber);
    expect(a.inputTokens).toBe(1000);
    expect(b).toEqual(a);
  });

  it("rejects negative token counts", () => {
    expect(mapOne(jsonSpan({}, chatAttrs({ "gen_ai.usage.output_tokens": -5 })))).toEqual({ rejected: "attribute gen_ai.usage.output_tokens must not be negative (got -5)" });
  });

  it("rejects a span that ends before it starts", () => {
    const span = jsonSpan({}, chatAttrs());
    span.endTimeUnixNano = (BigInt(span.startTimeUnixNano as string) - 1n).toString();
    expect(mapOne(span)).toEqual({ rejected: "the span ends before it starts" });
  });

  it("rejects hex trace and span ids of the wrong length, and non-integer times", () => {
    expect(decodeOne(jsonSpan({ traceId: "abc123" }, chatAttrs()))).toMatchObject({ rejected: "traceId must be 32 hex characters" });
    expect(decodeOne(jsonSpan({ spanId: "0123456789abcdef00" }, chatAttrs()))).toMatchObject({ rejected: "spanId must be 16 hex characters" });
    expect(decodeOne(jsonSpan({ parentSpanId: "zz" }, chatAttrs()))).toMatchObject({ rejected: expect.stringMatching(/parentSpanId/) });
    expect(decodeOne(jsonSpan({ startTimeUnixNano: "12.5" }, chatAttrs()))).toMatchObject({ rejected: expect.stringMatching(/startTimeUnixNano/) });
    expect(decodeOne(jsonSpan({}, [{ key: "gen_ai.usage.input_tokens", value: { intValue: "12abc" } }]))).toMatchObject({ rejected: expect.stringMatching(/intValue is not a 64-bit integer/) });
  });

  it("rejects each span of a resource whose attributes cannot be read, and still reads the next resource", () => {
    const bad = { resource: { attributes: [{ key: "service.name", value: { stringValue: 42 } }] }, scopeSpans: [{ scope: { name: "x" }, spans: [jsonSpan({}, chatAttrs()), jsonSpan({}, chatAttrs())] }] };
    const good = { resource: { attributes: attrs({ "service.name": "agent-b" }) }, scopeSpans: [{ scope: { name: "y" }, spans: [jsonSpan({}, chatAttrs())] }] };
    const decoded = decodeJsonRequest(Buffer.from(JSON.stringify({ resourceSpans: [bad, good] })));
    expect(decoded.spanCount).toBe(3);
    const results = [...decoded.spans()];
    expect(results.slice(0, 2)).toEqual([
      { rejected: 'resource attribute "service.name": stringValue must be a string', spanId: null },
      { rejected: 'resource attribute "service.name": stringValue must be a string', spanId: null },
    ]);
    expect(results[2]).toMatchObject({ span: { scopeName: "y" } });
    expect("span" in results[2]! && results[2].span.resource.get("service.name")).toBe("agent-b");
  });

  it("keeps a __proto__ attribute key as plain data: no prototype is touched", () => {
    const span = jsonSpan({}, [...chatAttrs(), { key: "__proto__", value: { stringValue: "polluted" } }]);
    const raw = `{"resourceSpans":[{"scopeSpans":[{"scope":{"name":"x"},"spans":[${JSON.stringify(span)}]}]}]}`;
    const decoded = [...decodeJsonRequest(Buffer.from(raw)).spans()][0]!;
    expect("span" in decoded && decoded.span.attributes.get("__proto__")).toBe("polluted");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.toString.call({})).toBe("[object Object]");
  });
});
