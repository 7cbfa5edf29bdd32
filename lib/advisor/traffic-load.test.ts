import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { createTestDb } from "@/db/test-db";
import { ingestBatch } from "../ingestion/ingest-batch";
import { projectWithKey } from "../auth/testing/project-with-key";
import { llmEvent } from "../events/testing/llm-event";
import { decode, NONE, RESPONSE_CACHE_CODE, STATUS_CODE, type Traffic } from "./traffic";
import { TrafficBuilder } from "./traffic-builder";
import { COPY_COLUMNS, CopyBinaryReader } from "./traffic-copy-reader";
import { loadTraffic } from "./traffic-load";

let handle: DbHandle;
let projectId: string;
let otherProjectId: string;
const BASE = Date.now() - 7_200_000;
const at = (s: number) => new Date(BASE + s * 1000).toISOString();

const events = [
  // Out of time order on purpose: the loader must hand them back sorted.
  llmEvent({ id: "c3", timestamp: at(30), route: "faq", agent: "bot", sessionId: "s1", traceId: "tr1", parentId: "tool1", userId: "u1",
    model: "claude-haiku-4-5", requestedModel: "claude-sonnet-4-5", latencyMs: 812.5, ttftMs: 240.25, streamed: true, inputTokens: 1200,
    outputTokens: 80, cacheReadTokens: 4096, cacheWrite5mTokens: 10, cacheWrite1hTokens: 20, responseCache: "miss", promptHash: "ph1",
    systemHash: "sh1", systemTokens: 4100, messageCount: 3, toolCount: 2, policyVersion: 7, tags: { team: "a", tier: "gold" }, status: "error" }),
  llmEvent({ id: "c1", timestamp: at(10), route: "faq", promptHash: "ph1", responseCache: "hit", latencyMs: 5, inputTokens: 0, outputTokens: 0 }),
  llmEvent({ id: "c2", timestamp: at(20), model: "mystery-model-x", latencyMs: 100 }),
  { id: "tool1", timestamp: at(25), kind: "tool", traceId: "tr1", agent: "bot", sessionId: "s1", latencyMs: 200, metadata: { name: "lookup_order" } },
  { id: "tool2", timestamp: at(26), kind: "tool", traceId: "tr1", parentId: "tool1", latencyMs: 150.5, status: "error", metadata: { name: "search" } },
  // Not a call the advisor weighs: a token count.
  { id: "count1", timestamp: at(27), kind: "count_tokens", model: "claude-sonnet-4-5", latencyMs: 20 },
  // Not the agents' traffic: an operator's playground call.
  llmEvent({ id: "pg1", timestamp: at(15), route: "playground" }),
  // Outside the window.
  llmEvent({ id: "late", timestamp: at(4000) }),
];

beforeAll(async () => {
  handle = await createTestDb();
  projectId = (await projectWithKey(handle.db)).project.id;
  otherProjectId = (await projectWithKey(handle.db)).project.id;
  const r = await ingestBatch(handle.db, projectId, events);
  expect(r.rejected).toEqual([]);
  await ingestBatch(handle.db, otherProjectId, [llmEvent({ id: "c1", timestamp: at(11) })]);
});
afterAll(async () => handle?.close());

const window = () => ({ projectId, from: new Date(BASE), to: new Date(BASE + 3_600_000) });

function expectLoaded(t: Traffic) {
  expect(t.llm.length).toBe(3);
  expect(Array.from({ length: 3 }, (_, i) => t.llm.id.at(i))).toEqual(["c1", "c2", "c3"]);
  expect(Array.from(t.llm.tsMs)).toEqual([at(10), at(20), at(30)].map(Date.parse));
  const i = 2;
  const l = t.llm;
  expect(decode(t.routes, l.route[i]!)).toBe("faq");
  expect(decode(t.agents, l.agent[i]!)).toBe("bot");
  expect(decode(t.sessions, l.session[i]!)).toBe("s1");
  expect(decode(t.traces, l.trace[i]!)).toBe("tr1");
  expect(decode(t.spans, l.parent[i]!)).toBe("tool1");
  expect(decode(t.models, l.model[i]!)).toBe("claude-haiku-4-5");
  expect(decode(t.models, l.requestedModel[i]!)).toBe("claude-sonnet-4-5");
  expect(decode(t.users, l.user[i]!)).toBe("u1");
  expect(t.tags[l.tagSet[i]!]).toEqual({ team: "a", tier: "gold" });
  expect(t.tags[l.tagSet[0]!]).toEqual({});
  expect(decode(t.hashes, l.promptHash[i]!)).toBe("ph1");
  expect(l.promptHash[0]).toBe(l.promptHash[i]);
  expect(decode(t.hashes, l.systemHash[i]!)).toBe("sh1");
  expect(l.systemHash[0]).toBe(NONE);
  expect(l.status[i]).toBe(STATUS_CODE.error);
  expect(l.responseCache[0]).toBe(RESPONSE_CACHE_CODE.hit);
  expect(l.responseCache[i]).toBe(RESPONSE_CACHE_CODE.miss);
  expect(l.streamed[i]).toBe(1);
  expect(l.streamed[0]).toBe(0);
  expect(l.latencyMs[i]).toBe(812.5);
  expect(l.ttftMs[i]).toBe(240.25);
  expect(Number.isNaN(l.ttftMs[0]!)).toBe(true);
  expect([l.inputTokens[i], l.outputTokens[i], l.cacheReadTokens[i], l.cacheWrite5mTokens[i], l.cacheWrite1hTokens[i]]).toEqual([1200, 80, 4096, 10, 20]);
  expect([l.systemTokens[i], l.messageCount[i], l.toolCount[i], l.policyVersion[i]]).toEqual([4100, 3, 2, 7]);
  expect(l.systemTokens[0]).toBe(NONE);
  expect(l.unpriced[1]).toBe(1);
  expect(l.unpriced[i]).toBe(0);
  expect(l.costNano[1]).toBe(0);
  expect(t.tools.length).toBe(2);
  expect(decode(t.spans, t.tools.span[0]!)).toBe("tool1");
  // The LLM call's parent and the tool's own id are one code: a trace's tree joins on it.
  expect(t.tools.span[0]).toBe(l.parent[i]);
  expect(t.tools.parent[0]).toBe(NONE);
  expect(t.tools.parent[1]).toBe(t.tools.span[0]);
  expect(decode(t.toolNames, t.tools.name[1]!)).toBe("search");
  expect(t.tools.latencyMs[1]).toBe(150.5);
  expect(t.tools.status[1]).toBe(STATUS_CODE.error);
  expect(decode(t.agents, t.tools.agent[0]!)).toBe("bot");
}

describe("loadTraffic", () => {
  it("loads every column of the window's events, in time order, this project only, playground calls left out", async () => {
    const t = await loadTraffic(handle.db, window());
    expectLoaded(t);
  });

  it("agrees with the stored cost to the nano-dollar", async () => {
    const t = await loadTraffic(handle.db, window());
    const rows = rowsOf<{ id: string; cost: string }>(
      await handle.db.execute(sql`select id, cost_nano_usd::text as cost from events where project_id = ${projectId}::uuid and kind = 'llm' and id not in ('late', 'pg1') order by ts`),
    );
    expect(rows.map((r) => Number(r.cost))).toEqual(Array.from(t.llm.costNano));
    expect(t.llm.costNano[2]).toBeGreaterThan(0);
  });

  it("answers an empty Traffic for a window with no events", async () => {
    const t = await loadTraffic(handle.db, { projectId, from: new Date(BASE - 7_200_000), to: new Date(BASE - 3_600_000) });
    expect(t.llm.length).toBe(0);
    expect(t.tools.length).toBe(0);
  });

  it("refuses to start once the signal is aborted", async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(loadTraffic(handle.db, { ...window(), signal: ac.signal })).rejects.toThrow(/abort/i);
  });

  it.skipIf(!process.env.DATABASE_URL)("parses a binary COPY stream cut at any byte into the same columns", async () => {
    const q = `copy (select ${COPY_COLUMNS} from events where project_id = '${projectId}') to stdout (format binary)`;
    const stream = await handle.sql!.unsafe(q).readable();
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    const all = Buffer.concat(chunks);
    for (const size of [1, 2, 3, 7, 64, all.length]) {
      const b = new TrafficBuilder({ projectId, fromMs: 0, toMs: 0 });
      const reader = new CopyBinaryReader(b);
      for (let p = 0; p < all.length; p += size) reader.push(all.subarray(p, p + size));
      reader.end();
      const t = b.finish();
      expect(t.llm.length).toBe(6);
      expect(t.tools.length).toBe(2);
      expect(t.llm.id.at(5)).toBe("late");
    }
    const cut = new CopyBinaryReader(new TrafficBuilder({ projectId, fromMs: 0, toMs: 0 }));
    cut.push(all.subarray(0, all.length - 3));
    expect(() => cut.end()).toThrow(/trailer/);
  });

  it.skipIf(!process.env.DATABASE_URL)("stops a stream cancelled mid-way and leaves the connection usable", async () => {
    const bulk = Array.from({ length: 3000 }, (_, k) => llmEvent({ id: `bulk-${k}`, timestamp: at(100 + (k % 3000) / 10) }));
    for (let k = 0; k < bulk.length; k += 1000) await ingestBatch(handle.db, otherProjectId, bulk.slice(k, k + 1000));
    const ac = new AbortController();
    const p = loadTraffic(handle.db, { projectId: otherProjectId, from: new Date(BASE), to: new Date(BASE + 3_600_000), signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toThrow(/abort/i);
    const t = await loadTraffic(handle.db, window());
    expectLoaded(t);
  });
});
