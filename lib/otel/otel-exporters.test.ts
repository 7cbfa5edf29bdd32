import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { HotRouter } from "../http/hot-router";
import { serveHandler } from "../http/testing/serve-handler";
import { projectWithKey } from "../auth/testing/project-with-key";
import { createOtlpTracesHandler } from "./http/traces-handler";

/**
 * The real OpenTelemetry SDK and its OTLP/HTTP exporters (JSON and protobuf), configured only
 * through the standard environment variables, send GenAI spans to the receiver.
 */
let handle: DbHandle;
let server: { url: string; close: () => Promise<void> };
let projectId: string;
const saved = { ...process.env };

beforeAll(async () => {
  handle = await createTestDb();
  const router = new HotRouter().route("/api/otel/v1/traces", createOtlpTracesHandler(() => handle.db));
  server = await serveHandler((req, res) => router.match(req.url)!(req, res));
  const p = await projectWithKey(handle.db);
  projectId = p.project.id;
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `${server.url}/api/otel`;
  process.env.OTEL_EXPORTER_OTLP_HEADERS = `authorization=Bearer%20${p.key}`;
});
afterAll(async () => {
  process.env = saved;
  await server?.close();
  await handle?.close();
});

type Row = { id: string; kind: string; model: string | null; requested_model: string | null; in: number; out: number; cr: number; cw: number; cost: string; latency: number; ttft: number | null; parent: string | null; status: string; agent: string };

async function eventsOfTrace(traceId: string): Promise<Row[]> {
  const r = await handle.db.execute(sql`
    select id, kind, model, requested_model, input_tokens as "in", output_tokens as "out", cache_read_tokens as cr,
           cache_write_5m_tokens as cw, cost_nano_usd::text as cost, latency_ms as latency, ttft_ms as ttft,
           parent_id as parent, status, agent
    from events where project_id = ${projectId}::uuid and trace_id = ${traceId} order by ts, kind`);
  return rowsOf<Row>(r);
}

async function sendAgentTrace(exporter: SpanExporter, scope: string): Promise<string> {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": "support-agent" }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer(scope, "1.2.3");
  const t0 = Date.now() - 10_000;
  const agent = tracer.startSpan("invoke_agent support", { kind: SpanKind.INTERNAL, startTime: t0, attributes: { "gen_ai.operation.name": "invoke_agent" } });
  const ctx = trace.setSpan(context.active(), agent);
  const chat = tracer.startSpan(
    "chat claude-sonnet-4-5",
    {
      kind: SpanKind.CLIENT,
      startTime: t0 + 10,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": "claude-sonnet-4-5",
        "gen_ai.response.model": "claude-sonnet-4-5-20250929",
        "gen_ai.usage.input_tokens": 3400, // spec: includes the 2000 read + 400 written
        "gen_ai.usage.output_tokens": 500,
        "gen_ai.usage.cache_read.input_tokens": 2000,
        "gen_ai.usage.cache_creation.input_tokens": 400,
        "gen_ai.response.time_to_first_chunk": 0.4,
      },
    },
    ctx,
  );
  chat.end(t0 + 1210);
  const tool = tracer.startSpan("execute_tool lookup_order", { startTime: t0 + 1220, attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup_order" } }, ctx);
  tool.end(t0 + 1420);
  const failed = tracer.startSpan("chat claude-sonnet-4-5", { kind: SpanKind.CLIENT, startTime: t0 + 1430, attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "claude-sonnet-4-5", "error.type": "overloaded_error" } }, ctx);
  failed.setStatus({ code: SpanStatusCode.ERROR, message: "overloaded" });
  failed.end(t0 + 1530);
  const http = tracer.startSpan("GET /orders", { kind: SpanKind.CLIENT, startTime: t0 + 1225, attributes: { "http.request.method": "GET" } }, ctx);
  http.end(t0 + 1300);
  agent.end(t0 + 1600);
  await provider.forceFlush();
  await provider.shutdown();
  return agent.spanContext().traceId;
}

// 1000 uncached input at $3/M, 400 5m writes at $3.75/M, 2000 reads at $0.30/M, 500 output at $15/M.
const SONNET_COST = String(1000 * 3000 + 400 * 3750 + 2000 * 300 + 500 * 15000);

function expectAgentTrace(rows: Row[], traceId: string) {
  expect(rows).toHaveLength(3); // the agent span and the HTTP span are ignored
  const [chat, tool, failed] = rows as [Row, Row, Row];
  const agentId = `${traceId}-`;
  expect(chat).toMatchObject({ kind: "llm", model: "claude-sonnet-4-5-20250929", requested_model: "claude-sonnet-4-5", in: 1000, out: 500, cr: 2000, cw: 400, cost: SONNET_COST, latency: 1200, ttft: 400, status: "ok", agent: "support-agent" });
  expect(chat.parent).toMatch(new RegExp(`^${agentId}[0-9a-f]{16}$`));
  expect(tool).toMatchObject({ kind: "tool", latency: 200, parent: chat.parent });
  expect(failed).toMatchObject({ kind: "llm", status: "error", in: 0, out: 0 });
}

describe("OpenTelemetry SDK exporters to the receiver", () => {
  it("OTLP/HTTP JSON, gzipped: GenAI spans arrive with the right tokens and cost", async () => {
    process.env.OTEL_EXPORTER_OTLP_COMPRESSION = "gzip";
    const traceId = await sendAgentTrace(new JsonExporter(), "@opentelemetry/instrumentation-anthropic");
    expectAgentTrace(await eventsOfTrace(traceId), traceId);
  });

  it("OTLP/HTTP protobuf: the same spans arrive the same way", async () => {
    delete process.env.OTEL_EXPORTER_OTLP_COMPRESSION;
    const traceId = await sendAgentTrace(new ProtoExporter(), "@traceloop/instrumentation-anthropic");
    expectAgentTrace(await eventsOfTrace(traceId), traceId);
  });

  it("OpenInference spans (raw input tokens) arrive through the protobuf exporter unchanged", async () => {
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ProtoExporter())] });
    const span = provider.getTracer("@arizeai/openinference-instrumentation-anthropic").startSpan("Messages", {
      startTime: Date.now() - 5000,
      attributes: {
        "openinference.span.kind": "LLM",
        "llm.model_name": "claude-sonnet-4-5",
        "llm.token_count.prompt": 1000,
        "llm.token_count.completion": 500,
        "llm.token_count.prompt_details.cache_read": 2000,
        "llm.token_count.prompt_details.cache_write": 400,
      },
    });
    span.end(Date.now() - 4000);
    await provider.forceFlush();
    await provider.shutdown();
    const [row] = await eventsOfTrace(span.spanContext().traceId);
    expect(row).toMatchObject({ in: 1000, out: 500, cr: 2000, cw: 400, cost: SONNET_COST });
  });

  it("a wrong key in OTEL_EXPORTER_OTLP_HEADERS is refused (401) and stores nothing", async () => {
    process.env.OTEL_EXPORTER_OTLP_HEADERS = `authorization=Bearer%20pw_sk_${"z".repeat(40)}`;
    const memory = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
    const span = provider.getTracer("x").startSpan("chat m", { attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "claude-sonnet-4-5" } });
    span.end();
    await provider.forceFlush();
    const result = await new Promise<ExportResult>((resolve) => new JsonExporter().export(memory.getFinishedSpans(), resolve));
    await provider.shutdown();
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toBe("Unauthorized");
    expect(await eventsOfTrace(span.spanContext().traceId)).toEqual([]);
  });
});
