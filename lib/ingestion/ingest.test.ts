import { gzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { revokeApiKey, clearApiKeyCache } from "../auth/api-keys";
import { createIngestHandler } from "./http-handler";
import { serveHandler } from "../http/testing/serve-handler";
import { llmEvent } from "../events/testing/llm-event";
import { projectWithKey } from "../auth/testing/project-with-key";

let handle: DbHandle;
let server: { url: string; close: () => Promise<void> };
let projectId: string;
let key: string;

beforeAll(async () => {
  handle = await createTestDb();
  server = await serveHandler(createIngestHandler(() => handle.db));
  ({ project: { id: projectId }, key } = await projectWithKey(handle.db));
});
afterAll(async () => {
  await server?.close();
  await handle?.close();
});

async function post(body: unknown, opts: { key?: string | null; headers?: Record<string, string>; raw?: string | Buffer; path?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json", ...opts.headers };
  const k = opts.key === undefined ? key : opts.key;
  if (k !== null) headers.authorization = `Bearer ${k}`;
  const res = await fetch(`${server.url}${opts.path ?? "/api/v1/events"}`, {
    method: "POST",
    headers,
    body: (opts.raw ?? JSON.stringify(body)) as BodyInit,
  });
  const text = await res.text();
  // Answers are checked field by field (accepted, rejected[i].index, error.code); a loose type keeps that readable.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* keep null */
  }
  return { status: res.status, json, text, headers: res.headers };
}

async function countById(id: string): Promise<number> {
  const r = await handle.db.execute(sql`select count(*)::int as n from events where project_id = ${projectId}::uuid and id = ${id}`);
  return rowsOf<{ n: number }>(r)[0]!.n;
}

async function totalEvents(): Promise<number> {
  const r = await handle.db.execute(sql`select count(*)::int as n from events where project_id = ${projectId}::uuid`);
  return rowsOf<{ n: number }>(r)[0]!.n;
}

describe("POST /api/v1/events", () => {
  it("stores a valid batch and answers 200 with counts", async () => {
    const events = [llmEvent(), llmEvent(), llmEvent()];
    const res = await post({ events });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    expect(await countById(events[0]!.id as string)).toBe(1);
  });

  it("computes cost from prices with Anthropic cache accounting, exactly", async () => {
    const e = llmEvent({ model: "claude-sonnet-4-5-20250929", inputTokens: 1000, outputTokens: 500, cacheReadTokens: 2000, cacheWrite5mTokens: 300, cacheWrite1hTokens: 100 });
    expect((await post({ events: [e] })).status).toBe(200);
    const r = await handle.db.execute(sql`select cost_nano_usd::text as c, cost_source as s from events where project_id = ${projectId}::uuid and id = ${e.id as string}`);
    // 1000*3000 + 300*3750 + 100*6000 + 2000*300 + 500*15000 nano-USD
    expect(rowsOf<{ c: string; s: string }>(r)[0]).toEqual({ c: String(3_000_000 + 1_125_000 + 600_000 + 600_000 + 7_500_000), s: "computed" });
  });

  it("stores unknown models with cost 0, flagged unpriced", async () => {
    const e = llmEvent({ model: "gpt-imaginary" });
    expect((await post({ events: [e] })).status).toBe(200);
    const r = await handle.db.execute(sql`select cost_nano_usd::text as c, cost_source as s from events where project_id = ${projectId}::uuid and id = ${e.id as string}`);
    expect(rowsOf<{ c: string; s: string }>(r)[0]).toEqual({ c: "0", s: "unpriced" });
  });

  it("stores a repeated id once and counts it as a duplicate, in the batch and later", async () => {
    const e = llmEvent();
    const first = await post({ events: [e, e] });
    expect(first.json).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    const again = await post({ events: [e] });
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(await countById(e.id as string)).toBe(1);
  });

  it("answers 200 with nothing stored for an empty batch", async () => {
    const before = await totalEvents();
    const res = await post({ events: [] });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ accepted: 0, duplicates: 0, rejected: [] });
    expect(await totalEvents()).toBe(before);
  });

  it("stores 99 of 100 and names the bad index with 207", async () => {
    const events = Array.from({ length: 100 }, () => llmEvent());
    events[42] = llmEvent({ latencyMs: -5 });
    const before = await totalEvents();
    const res = await post({ events });
    expect(res.status).toBe(207);
    expect(res.json.accepted).toBe(99);
    expect(res.json.rejected).toHaveLength(1);
    expect(res.json.rejected[0].index).toBe(42);
    expect(res.json.rejected[0].id).toBe(events[42]!.id);
    expect(res.json.rejected[0].error).toMatch(/latencyMs/);
    expect(await totalEvents()).toBe(before + 99);
  });

  it("accepts a gzip body", async () => {
    const e = llmEvent();
    const res = await post(null, { raw: gzipSync(JSON.stringify({ events: [e] })), headers: { "content-encoding": "gzip" } });
    expect(res.status).toBe(200);
    expect(await countById(e.id as string)).toBe(1);
  });

  it("accepts tool events without model or tokens", async () => {
    const res = await post({ events: [{ id: `tool-${Date.now()}`, timestamp: new Date().toISOString(), kind: "tool", agent: "a", latencyMs: 5 }] });
    expect(res.status).toBe(200);
    expect(res.json.accepted).toBe(1);
  });
});

describe("bad input: clear errors, nothing partial stored, never a 500", () => {
  const rejectsOne = async (overrides: Record<string, unknown>, field: RegExp) => {
    const e = llmEvent(overrides);
    const before = await totalEvents();
    const res = await post({ events: [e] });
    expect(res.status).toBe(400);
    expect(res.json.rejected[0].error).toMatch(field);
    expect(await totalEvents()).toBe(before);
  };

  it("malformed JSON is a 400", async () => {
    const res = await post(null, { raw: '{"events": [' });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/not valid JSON/);
  });

  it("a wrong content type is a 415", async () => {
    const res = await post(null, { raw: "events=1", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(415);
  });

  it("a body over 5 MB is a 413", async () => {
    const big = JSON.stringify({ events: [llmEvent({ metadata: { pad: "x".repeat(6 * 1024 * 1024) } })] });
    const res = await post(null, { raw: big });
    expect(res.status).toBe(413);
  });

  it("a gzip bomb is a 413 without inflating it all", async () => {
    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024, 0x20)); // 200 MB of spaces, ~200 KB compressed
    const res = await post(null, { raw: bomb, headers: { "content-encoding": "gzip" } });
    expect(res.status).toBe(413);
  });

  it("events that is not an array is a 400", async () => {
    const res = await post({ events: { a: 1 } });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("bad_request:envelope");
  });

  it("more than 1000 events is a 400", async () => {
    const res = await post({ events: Array.from({ length: 1001 }, () => llmEvent()) });
    expect(res.status).toBe(400);
  });

  it.each([
    ["negative", -1],
    ["NaN as string", "NaN"],
    ["string", "12"],
    ["1e308", 1e308],
  ])("a %s latency is rejected", async (_label, value) => {
    await rejectsOne({ latencyMs: value }, /latencyMs/);
  });

  it.each([
    ["negative", -1],
    ["fractional", 1.5],
    ["string", "100"],
    ["1e308", 1e308],
  ])("%s tokens are rejected", async (_label, value) => {
    await rejectsOne({ inputTokens: value }, /inputTokens/);
  });

  it("a timestamp without a zone is rejected", async () => {
    await rejectsOne({ timestamp: "2026-11-27T10:00:00" }, /timestamp.*time zone/);
  });

  it("a far-future timestamp is rejected", async () => {
    await rejectsOne({ timestamp: new Date(Date.now() + 3_600_000).toISOString() }, /future/);
  });

  it("a 1970 timestamp is rejected as outside retention", async () => {
    await rejectsOne({ timestamp: "1970-01-01T00:00:00Z" }, /retention/);
  });

  it("NUL bytes in strings are rejected", async () => {
    await rejectsOne({ route: "a\u0000b" }, /route.*NUL/);
  });

  it("lone surrogates are rejected", async () => {
    await rejectsOne({ agent: "bad\uD800" }, /agent.*surrogate/);
  });

  it("a 1 MB tag value is rejected", async () => {
    await rejectsOne({ tags: { big: "x".repeat(1024 * 1024) } }, /tags/);
  });

  it("10k-deep metadata is rejected", async () => {
    const deep = '{"d":'.repeat(10_000) + "{}" + "}".repeat(10_000);
    const e = llmEvent();
    const raw = JSON.stringify({ events: [e] }).replace('"outputTokens":50', `"outputTokens":50,"metadata":${deep}`);
    const before = await totalEvents();
    const res = await post(null, { raw });
    expect(res.status).toBe(400);
    expect(res.json.rejected[0].error).toMatch(/metadata.*nesting/);
    expect(await totalEvents()).toBe(before);
  });

  it("__proto__ and constructor keys are stored as plain data without pollution", async () => {
    const id = `proto-${Date.now()}`;
    const raw = `{"events":[{"id":"${id}","timestamp":"${new Date().toISOString()}","model":"claude-haiku-4-5","latencyMs":1,"inputTokens":1,"outputTokens":1,"tags":{"__proto__":"x","constructor":"y"},"metadata":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}]}`;
    const res = await post(null, { raw });
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const r = await handle.db.execute(sql`select tags, metadata from events where project_id = ${projectId}::uuid and id = ${id}`);
    const row = rowsOf<{ tags: unknown; metadata: unknown }>(r)[0]!;
    const tags = typeof row.tags === "string" ? JSON.parse(row.tags) : row.tags;
    expect(Object.keys(tags as object).sort()).toEqual(["__proto__", "constructor"]);
  });

  it("SQL-looking strings in every field are stored verbatim", async () => {
    const evil = "'); drop table events; --";
    const e = llmEvent({ id: `sql-${Date.now()}${evil}`, agent: evil, route: evil, sessionId: evil, traceId: evil, parentId: evil, userId: evil, provider: evil.slice(0, 60), model: evil, requestedModel: evil, errorType: evil, promptHash: evil, systemHash: evil, tags: { [evil]: evil }, metadata: { [evil]: evil } });
    const res = await post({ events: [e] });
    expect(res.status).toBe(200);
    expect(await countById(e.id as string)).toBe(1);
  });

  it("a SQL-looking Authorization header is a 401", async () => {
    const res = await post({ events: [llmEvent()] }, { key: "' or '1'='1" });
    expect(res.status).toBe(401);
  });

  it("a missing key is a 401", async () => {
    const res = await post({ events: [llmEvent()] }, { key: null });
    expect(res.status).toBe(401);
  });

  it("the key in the query string is refused", async () => {
    const res = await post({ events: [llmEvent()] }, { key: null, path: `/api/v1/events?api_key=${key}` });
    expect(res.status).toBe(401);
    expect(res.json.error.message).toMatch(/query string/);
    expect(res.text).not.toContain(key);
  });

  it("another project's key stores into that project only", async () => {
    const other = await projectWithKey(handle.db);
    const e = llmEvent();
    expect((await post({ events: [e] }, { key: other.key })).status).toBe(200);
    expect(await countById(e.id as string)).toBe(0);
  });

  it("a revoked key is a 401", async () => {
    const other = await projectWithKey(handle.db);
    await revokeApiKey(handle.db, { projectId: other.project.id, keyId: other.keyId });
    clearApiKeyCache();
    const res = await post({ events: [llmEvent()] }, { key: other.key });
    expect(res.status).toBe(401);
  });

  it("a key without the ingest scope is a 403", async () => {
    const other = await projectWithKey(handle.db, ["gateway"]);
    const res = await post({ events: [llmEvent()] }, { key: other.key });
    expect(res.status).toBe(403);
  });
});
