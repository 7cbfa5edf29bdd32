import { gzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import { openPostgres, type Db, type DbHandle } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { serveHandler } from "../http/testing/serve-handler";
import { projectWithKey } from "../auth/testing/project-with-key";
import { createOtlpTracesHandler } from "./http/traces-handler";
import { attrs, chatAttrs, jsonRequest, jsonSpan } from "./testing/otlp-spans";

// Nothing listens on port 1: every query fails to connect, as when Postgres is down.
const down = openPostgres("postgres://postgres@127.0.0.1:1/pitwall_down", { max: 1 });

let handle: DbHandle;
let current: Db;
let server: { url: string; close: () => Promise<void> };
let small: { url: string; close: () => Promise<void> };
let projectId: string;
let key: string;

beforeAll(async () => {
  handle = await createTestDb();
  current = handle.db;
  server = await serveHandler(createOtlpTracesHandler(() => current));
  small = await serveHandler(createOtlpTracesHandler(() => current, { maxBodyBytes: 64 * 1024, maxSpansPerRequest: 10_000 }));
  ({ project: { id: projectId }, key } = await projectWithKey(handle.db));
});
afterAll(async () => {
  await server?.close();
  await small?.close();
  await handle?.close();
  await down.close();
});

type Sent = { status: number; json: { partialSuccess?: { rejectedSpans: number; errorMessage: string }; error?: { code: string; message: string } }; headers: Headers };

async function send(body: string | Buffer | object, opts: { type?: string; key?: string | null; encoding?: string; url?: string } = {}): Promise<Sent> {
  const headers: Record<string, string> = { "content-type": opts.type ?? "application/json" };
  const k = opts.key === undefined ? key : opts.key;
  if (k !== null) headers.authorization = `Bearer ${k}`;
  if (opts.encoding) headers["content-encoding"] = opts.encoding;
  const raw = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const res = await fetch(`${opts.url ?? server.url}/api/otel/v1/traces`, { method: "POST", headers, body: raw as BodyInit });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {}, headers: res.headers };
}

async function stored(id: string) {
  const r = await handle.db.execute(
    sql`select input_tokens as "in", cache_read_tokens as "cr", cost_nano_usd::text as cost, kind from events where project_id = ${projectId}::uuid and id = ${id}`,
  );
  return rowsOf<{ in: number; cr: number; cost: string; kind: string }>(r);
}

async function countForTrace(traceId: string): Promise<number> {
  const r = await handle.db.execute(sql`select count(*)::int as n from events where project_id = ${projectId}::uuid and trace_id = ${traceId}`);
  return rowsOf<{ n: number }>(r)[0]!.n;
}

const idOf = (span: Record<string, unknown>) => `${span.traceId}-${span.spanId}`;

describe("POST /api/otel/v1/traces", () => {
  it("stores a GenAI chat span and answers 200 with an empty ExportTraceServiceResponse", async () => {
    const span = jsonSpan({}, chatAttrs({ "gen_ai.usage.cache_read.input_tokens": 500 }));
    const res = await send(jsonRequest([span]));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({});
    expect(await stored(idOf(span))).toEqual([{ in: 500, cr: 500, cost: expect.stringMatching(/^[1-9]\d*$/), kind: "llm" }]);
  });

  it("stores a re-sent span once (exporter retries are deduplicated by span id)", async () => {
    const span = jsonSpan({}, chatAttrs());
    expect((await send(jsonRequest([span]))).status).toBe(200);
    const again = await send(jsonRequest([span]));
    expect(again.status).toBe(200);
    expect(again.headers.get("x-pitwall-duplicate-spans")).toBe("1");
    expect(await stored(idOf(span))).toHaveLength(1);
  });

  it("answers 200 with partialSuccess naming rejected spans, and stores the good ones", async () => {
    const good = jsonSpan({}, chatAttrs());
    const negative = jsonSpan({}, chatAttrs({ "gen_ai.usage.input_tokens": -1 }));
    const res = await send(jsonRequest([good, negative]));
    expect(res.status).toBe(200);
    expect(res.json.partialSuccess).toEqual({
      rejectedSpans: 1,
      errorMessage: `1 span rejected: span ${negative.spanId}: attribute gen_ai.usage.input_tokens must not be negative (got -1)`,
    });
    expect(await stored(idOf(good))).toHaveLength(1);
    expect(await stored(idOf(negative))).toHaveLength(0);
  });

  it("ignores and counts spans that are not GenAI (partialSuccess with 0 rejected, as the spec allows)", async () => {
    const http = jsonSpan({ name: "GET /health" }, attrs({ "http.request.method": "GET" }));
    const res = await send(jsonRequest([http, jsonSpan({}, chatAttrs())]));
    expect(res.status).toBe(200);
    expect(res.json.partialSuccess).toEqual({ rejectedSpans: 0, errorMessage: "1 span ignored (not LLM or tool calls)" });
    expect(res.headers.get("x-pitwall-ignored-spans")).toBe("1");
    expect(await stored(idOf(http))).toHaveLength(0);
  });

  it("accepts a gzip body", async () => {
    const span = jsonSpan({}, chatAttrs());
    const res = await send(gzipSync(JSON.stringify(jsonRequest([span]))), { encoding: "gzip" });
    expect(res.status).toBe(200);
    expect(await stored(idOf(span))).toHaveLength(1);
  });

  it("a truncated gzip stream is a 400 and stores nothing", async () => {
    const span = jsonSpan({}, chatAttrs());
    const zipped = gzipSync(JSON.stringify(jsonRequest([span])));
    const res = await send(zipped.subarray(0, zipped.length - 12), { encoding: "gzip" });
    expect(res.status).toBe(400);
    expect(res.json.error?.code).toBe("bad_request:body");
    expect(await stored(idOf(span))).toHaveLength(0);
  });

  it("malformed protobuf is a 400 with a clear message", async () => {
    const res = await send(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]), { type: "application/x-protobuf" });
    expect(res.status).toBe(400);
    expect(res.json.error).toEqual({ code: "bad_request:otlp_protobuf", message: "The body is not a valid protobuf ExportTraceServiceRequest." });
  });

  it("invalid JSON, and JSON that is not an export request, are 400s", async () => {
    expect((await send("{not json")).json.error?.code).toBe("bad_request:otlp_json");
    const wrong = await send({ resourceSpans: "nope" });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error?.message).toMatch(/ExportTraceServiceRequest/);
  });

  it("a bad or missing key is a 401", async () => {
    expect((await send(jsonRequest([]), { key: "pw_sk_" + "x".repeat(40) })).status).toBe(401);
    expect((await send(jsonRequest([]), { key: null })).status).toBe(401);
  });

  it("another content type is a 415", async () => {
    const res = await send("hello", { type: "text/plain" });
    expect(res.status).toBe(415);
    expect(res.json.error?.message).toBe("Content-Type must be application/x-protobuf or application/json.");
  });

  it("a body over the size cap is a 413 (after decompression too)", async () => {
    const big = JSON.stringify(jsonRequest([jsonSpan({}, chatAttrs({ "gen_ai.input.messages": "x".repeat(70 * 1024) }))]));
    expect((await send(big, { url: small.url })).status).toBe(413);
    expect((await send(gzipSync(big), { url: small.url, encoding: "gzip" })).status).toBe(413);
  });

  it("an attribute value of 1 MB: ignored when it is content, a rejected span when it is a stored field", async () => {
    const content = jsonSpan({}, chatAttrs({ "gen_ai.input.messages": "m".repeat(1024 * 1024) }));
    const model = jsonSpan({}, chatAttrs({ "gen_ai.response.model": "m".repeat(1024 * 1024) }));
    const res = await send(jsonRequest([content, model]));
    expect(res.status).toBe(200);
    expect(res.json.partialSuccess?.rejectedSpans).toBe(1);
    expect(res.json.partialSuccess?.errorMessage).toContain(`span ${model.spanId}: model: at most 256 characters`);
    expect(await stored(idOf(content))).toHaveLength(1);
    expect(await stored(idOf(model))).toHaveLength(0);
  });

  it("10,000 spans in one request are all stored; 10,001 is a 413 that stores nothing", async () => {
    const traceId = "ab".repeat(16);
    const spans = Array.from({ length: 10_000 }, (_, i) => jsonSpan({ traceId, spanId: i.toString(16).padStart(16, "0") }, chatAttrs()));
    const res = await send(jsonRequest(spans));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-pitwall-accepted-spans")).toBe("10000");
    expect(await countForTrace(traceId)).toBe(10_000);

    const otherTrace = "cd".repeat(16);
    const tooMany = Array.from({ length: 10_001 }, (_, i) => jsonSpan({ traceId: otherTrace, spanId: i.toString(16).padStart(16, "0") }, chatAttrs()));
    const over = await send(jsonRequest(tooMany));
    expect(over.status).toBe(413);
    expect(over.json.error?.message).toBe("At most 10000 spans per request; this one has 10001.");
    expect(await countForTrace(otherTrace)).toBe(0);
  }, 120_000);

  it("a span with ids of the wrong length is rejected, never a 500", async () => {
    const res = await send(jsonRequest([jsonSpan({ traceId: "0af7651916cd43dd8448eb211c80319" }, chatAttrs())]));
    expect(res.status).toBe(200);
    expect(res.json.partialSuccess).toEqual({ rejectedSpans: 1, errorMessage: expect.stringContaining("traceId must be 32 hex characters") });
  });

  it("answers 503 with Retry-After while the database is down", async () => {
    expect((await send(jsonRequest([jsonSpan({}, chatAttrs())]))).status).toBe(200); // warms the key cache
    current = down.db;
    try {
      const res = await send(jsonRequest([jsonSpan({}, chatAttrs())]));
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(res.json.error?.code).toBe("unavailable:database");
    } finally {
      current = handle.db;
    }
  });
});
