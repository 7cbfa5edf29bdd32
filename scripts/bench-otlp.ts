/**
 * `npm run bench:otlp`: the same LLM calls stored through the OTLP/HTTP receiver (protobuf and JSON
 * spans) and through the native /api/v1/events, in one run on a fresh Postgres database; then the
 * SDK's overhead on an instrumented messages.create against a local upstream.
 * Options: --calls N (default 100,000) --batch N (500) --senders N (4) --sdk-calls N (3000) --only sdk
 *          --base-url postgres://postgres@127.0.0.1:5432/postgres (or DATABASE_URL)
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import Anthropic from "@anthropic-ai/sdk";
import { Pool } from "undici";
import { openPostgres } from "../db/client";
import { runMigrations } from "../db/migrate";
import { createApiKey } from "../lib/auth/api-keys";
import { createProject } from "../lib/projects/project-queries";
import { createPitwall } from "../lib/sdk";
import { freshDatabase } from "./bench/fresh-database";
import { startHotServer, type HotServer } from "./bench/start-hot-server";
import { fmt, loadAverage, rate, runPool, summarize } from "./bench/stats";

const { values: opts } = parseArgs({
  options: {
    calls: { type: "string", default: "100000" },
    batch: { type: "string", default: "500" },
    senders: { type: "string", default: "4" },
    "sdk-calls": { type: "string", default: "3000" },
    "base-url": { type: "string" },
    only: { type: "string" },
  },
});
const TOTAL = Number(opts.calls);
const BATCH = Number(opts.batch);
const SENDERS = Number(opts.senders);
const SDK_CALLS = Number(opts["sdk-calls"]);
const BATCHES = Math.ceil(TOTAL / BATCH);
const baseUrl = opts["base-url"] ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const MODELS = ["claude-haiku-4-5", "claude-sonnet-4-5-20250929", "claude-opus-4-6"];

/** One call, described once; both paths carry exactly these facts. */
function call(i: number, now: number) {
  const startMs = now - 600_000 + Math.floor((i / TOTAL) * 600_000);
  const input = 500 + (i % 900);
  const cacheRead = i % 3 === 0 ? 2048 : 0;
  const cacheWrite = i % 11 === 0 ? 1024 : 0;
  return {
    traceId: (BigInt(i) + 1n).toString(16).padStart(32, "0"),
    spanId: (BigInt(i) + 1n).toString(16).padStart(16, "0"),
    startMs,
    latencyMs: 200 + (i % 1000) * 3,
    ttftMs: 80 + (i % 300),
    model: MODELS[i % MODELS.length]!,
    agent: `agent-${i % 7}`,
    session: `s-${i % 5000}`,
    input,
    output: 50 + (i % 400),
    cacheRead,
    cacheWrite,
    error: i % 50 === 0,
  };
}
type Call = ReturnType<typeof call>;

function nativeEvent(c: Call, tag: string) {
  return {
    id: `${tag}-${c.traceId}-${c.spanId}`,
    timestamp: new Date(c.startMs).toISOString(),
    agent: c.agent,
    sessionId: c.session,
    traceId: c.traceId,
    model: c.model,
    requestedModel: c.model,
    status: c.error ? "error" : "ok",
    errorType: c.error ? "overloaded_error" : null,
    latencyMs: c.latencyMs,
    ttftMs: c.ttftMs,
    streamed: true,
    inputTokens: c.input,
    outputTokens: c.output,
    cacheReadTokens: c.cacheRead,
    cacheWrite5mTokens: c.cacheWrite,
    metadata: { name: `chat ${c.model}`, source: "otlp" },
  };
}

const kv = (key: string, value: Record<string, unknown>) => ({ key, value });
function spanAttrs(c: Call) {
  return [
    kv("gen_ai.operation.name", { stringValue: "chat" }),
    kv("gen_ai.provider.name", { stringValue: "anthropic" }),
    kv("gen_ai.request.model", { stringValue: c.model }),
    kv("gen_ai.response.model", { stringValue: c.model }),
    kv("gen_ai.conversation.id", { stringValue: c.session }),
    kv("gen_ai.agent.name", { stringValue: c.agent }),
    kv("gen_ai.usage.input_tokens", { intValue: c.input + c.cacheRead + c.cacheWrite }),
    kv("gen_ai.usage.output_tokens", { intValue: c.output }),
    kv("gen_ai.usage.cache_read.input_tokens", { intValue: c.cacheRead }),
    kv("gen_ai.usage.cache_creation.input_tokens", { intValue: c.cacheWrite }),
    kv("gen_ai.response.time_to_first_chunk", { doubleValue: c.ttftMs / 1000 }),
    ...(c.error ? [kv("error.type", { stringValue: "overloaded_error" })] : []),
  ];
}
const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
function jsonSpan(c: Call, tag: string) {
  return {
    traceId: tag + c.traceId.slice(tag.length),
    spanId: c.spanId,
    name: `chat ${c.model}`,
    kind: 3,
    startTimeUnixNano: ns(c.startMs),
    endTimeUnixNano: ns(c.startMs + c.latencyMs),
    attributes: spanAttrs(c),
    status: { code: c.error ? 2 : 0 },
  };
}
const envelope = (spans: unknown[]) => ({ resourceSpans: [{ resource: { attributes: [kv("service.name", { stringValue: "bench" })] }, scopeSpans: [{ scope: { name: "@opentelemetry/instrumentation-anthropic" }, spans }] }] });

// The exporters' wire format, encoded with the same generated code the receiver decodes with.
const root = createRequire(import.meta.url)("@opentelemetry/otlp-transformer/build/src/generated/root.js") as {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: { encode(m: unknown): { finish(): Uint8Array } } } } } } };
};
function protobufBody(spans: ReturnType<typeof jsonSpan>[]): Buffer {
  const toPb = (s: ReturnType<typeof jsonSpan>) => ({
    ...s,
    traceId: Buffer.from(s.traceId, "hex"),
    spanId: Buffer.from(s.spanId, "hex"),
    attributes: s.attributes.map((a) => ({ key: a.key, value: { ...a.value } })),
  });
  return Buffer.from(root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.encode(envelope(spans.map(toPb))).finish());
}

async function throughput(pool: Pool, key: string, label: string, unit: string, bodies: (string | Buffer)[], path: string, type: string, count: number, check: (status: number, headers: Record<string, unknown>, text: string) => void) {
  const acks: number[] = [];
  const t0 = performance.now();
  await runPool(bodies.length, SENDERS, async (b) => {
    const s = performance.now();
    const res = await pool.request({ path, method: "POST", headers: { "content-type": type, authorization: `Bearer ${key}` }, body: bodies[b]! });
    const text = await res.body.text();
    check(res.statusCode, res.headers, text);
    acks.push(performance.now() - s);
  });
  const secs = (performance.now() - t0) / 1000;
  const ack = summarize(acks);
  console.log(`${label.padEnd(28)} ${rate(count / secs).padStart(8)} ${unit}/s  (${fmt(secs)} s; ack p50 ${fmt(ack.p50)} ms, p99 ${fmt(ack.p99)} ms)`);
  return count / secs;
}

async function ingestThroughput() {
  console.log(`bench:otlp: ${rate(TOTAL)} LLM calls, ${BATCH} per request, ${SENDERS} concurrent senders, Postgres; ${loadAverage()}`);
  const db = await freshDatabase(baseUrl, "pitwall_bench_otlp");
  const handle = openPostgres(db.url, { max: 2 });
  const sql = handle.sql!;
  let server: HotServer | undefined;
  try {
    await runMigrations(handle);
    server = await startHotServer(db.url, { PITWALL_KEY_RATE_LIMIT_PER_SECOND: "0" });
    const project = await createProject(handle.db, { slug: "bench" });
    const key = (await createApiKey(handle.db, { projectId: project.id, name: "bench" })).secret;
    const now = Date.now();
    const calls = Array.from({ length: TOTAL }, (_, i) => call(i, now));
    const chunks = Array.from({ length: BATCHES }, (_, b) => calls.slice(b * BATCH, (b + 1) * BATCH));
    // Bodies are prepared before timing: the senders measure the server.
    const native = chunks.map((c) => JSON.stringify({ events: c.map((x) => nativeEvent(x, "n")) }));
    const pb = chunks.map((c) => protobufBody(c.map((x) => jsonSpan(x, "a"))));
    const js = chunks.map((c) => JSON.stringify(envelope(c.map((x) => jsonSpan(x, "b")))));
    const warm = chunks.slice(0, 10);
    const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: SENDERS, pipelining: 1 });
    const okNative = (status: number, _h: unknown, text: string) => {
      if (status !== 200) throw new Error(`native ${status}: ${text.slice(0, 200)}`);
    };
    const okOtlp = (status: number, h: Record<string, unknown>, text: string) => {
      if (status !== 200 || h["x-pitwall-rejected-spans"] !== "0") throw new Error(`otlp ${status}: ${text.slice(0, 200)}`);
    };
    // Warm-up of both paths (JIT, key and price caches), then start clean.
    await throughput(pool, key, "(warm-up native)", "events", warm.map((c) => JSON.stringify({ events: c.map((x) => nativeEvent(x, "w")) })), "/api/v1/events", "application/json", warm.length * BATCH, okNative);
    await throughput(pool, key, "(warm-up OTLP)", "spans", warm.map((c) => protobufBody(c.map((x) => jsonSpan(x, "c")))), "/api/otel/v1/traces", "application/x-protobuf", warm.length * BATCH, okOtlp);
    await sql`truncate events`;

    const nativeRate = await throughput(pool, key, "native /api/v1/events", "events", native, "/api/v1/events", "application/json", TOTAL, okNative);
    await sql`truncate events`;
    const pbRate = await throughput(pool, key, "OTLP protobuf", "spans", pb, "/api/otel/v1/traces", "application/x-protobuf", TOTAL, okOtlp);
    const [stored] = await sql<{ n: number; cost: string }[]>`select count(*)::int as n, sum(cost_nano_usd)::text as cost from events`;
    await sql`truncate events`;
    const jsonRate = await throughput(pool, key, "OTLP JSON", "spans", js, "/api/otel/v1/traces", "application/json", TOTAL, okOtlp);
    await pool.close();
    console.log(`stored through OTLP protobuf: ${rate(stored!.n)} events (cost ${stored!.cost} nano-USD)`);
    console.log(`ratio OTLP protobuf / native: ${fmt(pbRate / nativeRate, 2)}x (target >= 0.5x)`);
    console.log(`ratio OTLP JSON / native:     ${fmt(jsonRate / nativeRate, 2)}x`);
    console.log(loadAverage());
  } finally {
    await server?.stop();
    await handle.close();
    await db.drop();
  }
}

/** A local upstream answering every messages.create with the same small message. */
async function startUpstream(): Promise<{ url: string; close: () => void }> {
  const body = JSON.stringify({
    id: "msg_bench",
    type: "message",
    role: "assistant",
    model: "claude-haiku-4-5-20251001",
    content: [{ type: "text", text: "ok" }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 20, output_tokens: 2, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
  });
  const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

async function sdkOverhead() {
  const upstream = await startUpstream();
  // The SDK's events go to a local sink; its batching runs during the measurement, as in an agent.
  let received = 0;
  const sink = http.createServer((req, res) => {
    let n = "";
    req.on("data", (c) => (n += c));
    req.on("end", () => {
      if (req.method === "GET") {
        // GET /api/v1/policies for the policies-on client: 200 rules that never match this call,
        // so planRoute, applyRoutePlan and the cache resolver all run and nothing is changed.
        const rules = Array.from({ length: 200 }, (_, i) => ({ id: `r${i}`, match: { route: `other-${i}-*` }, action: { model: "claude-sonnet-4-6" } }));
        res.writeHead(200, { "content-type": "application/json", etag: '"routing-1.cache-1"' });
        res.end(JSON.stringify({ routing: { version: 1, document: { rules, default: {} } }, cache: { version: 1, document: { rules: [], default: { ttlSec: 0, scope: "project" } } } }));
        return;
      }
      const count = (JSON.parse(n) as { events: unknown[] }).events.length;
      received += count;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ accepted: count, duplicates: 0, rejected: [] }));
    });
  });
  await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
  const pitwall = createPitwall({ baseUrl: `http://127.0.0.1:${(sink.address() as AddressInfo).port}`, apiKey: "pw_sk_" + "b".repeat(40), agent: "bench", flushOnExit: false, maxQueue: 100_000 });
  const withPolicies = createPitwall({ baseUrl: `http://127.0.0.1:${(sink.address() as AddressInfo).port}`, apiKey: "pw_sk_" + "b".repeat(40), agent: "bench", flushOnExit: false, maxQueue: 100_000, policies: true });
  await withPolicies.policies!.ready();
  const bare = new Anthropic({ baseURL: upstream.url, apiKey: "sk-bench", maxRetries: 0 });
  const wrapped = pitwall.instrument(new Anthropic({ baseURL: upstream.url, apiKey: "sk-bench", maxRetries: 0 }), { route: "bench" });
  const routed = withPolicies.instrument(new Anthropic({ baseURL: upstream.url, apiKey: "sk-bench", maxRetries: 0 }), { route: "bench" });
  const params = { model: "claude-haiku-4-5", max_tokens: 64, system: "You are terse.", messages: [{ role: "user" as const, content: "Say ok." }] };
  const time = async (client: Anthropic) => {
    const t0 = performance.now();
    await client.messages.create(params);
    return performance.now() - t0;
  };
  for (let i = 0; i < 300; i++) {
    await time(bare);
    await time(wrapped);
    await time(routed);
  }
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  // Interleaved, so drift in the machine's load hits every side alike.
  for (let i = 0; i < SDK_CALLS; i++) {
    if (i % 2 === 0) {
      a.push(await time(bare));
      b.push(await time(wrapped));
      c.push(await time(routed));
    } else {
      c.push(await time(routed));
      b.push(await time(wrapped));
      a.push(await time(bare));
    }
  }
  await pitwall.flush();
  await withPolicies.flush();
  const sa = summarize(a);
  const sb = summarize(b);
  const sc = summarize(c);
  console.log(`SDK: messages.create against a local upstream, ${rate(SDK_CALLS)} calls each, interleaved`);
  console.log(`  bare client         p50 ${fmt(sa.p50, 3)} ms  p90 ${fmt(sa.p90, 3)} ms`);
  console.log(`  instrumented client p50 ${fmt(sb.p50, 3)} ms  p90 ${fmt(sb.p90, 3)} ms  (${rate(received)} events delivered)`);
  console.log(`  overhead p50 ${fmt(sb.p50 - sa.p50, 3)} ms (target <= 0.2 ms)`);
  console.log(`  instrumented, client-side policies on (200 route rules, none matching; cache resolved) p50 ${fmt(sc.p50, 3)} ms  p90 ${fmt(sc.p90, 3)} ms · overhead p50 ${fmt(sc.p50 - sa.p50, 3)} ms`);
  await pitwall.shutdown();
  await withPolicies.shutdown();
  upstream.close();
  sink.close();
}

// --only sdk: the SDK's overhead alone (no database).
if (opts.only !== "sdk") await ingestThroughput();
await sdkOverhead();
process.exit(0);
