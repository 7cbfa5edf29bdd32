import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { signedInUser, webRequest } from "../auth/testing/sessions";
import { webHandler } from "../http/web-handler";
import { ingestBatch } from "../ingestion/ingest-batch";
import { createIngestHandler } from "../ingestion/http-handler";
import { createPitwall } from "../sdk/pitwall";
import { serveHandler } from "../http/testing/serve-handler";
import { llmEvent } from "../events/testing/llm-event";
import { projectWithKey } from "../auth/testing/project-with-key";
import { handleSessionList, handleTraceDetail } from "./http/traces";
import type { SessionPage, TraceDetail } from "./trace-queries";
import { seconds } from "./waterfall";

let handle: DbHandle;
let project: { id: string; slug: string };
let key: string;

beforeAll(async () => {
  handle = await createTestDb();
  ({ project, key } = await projectWithKey(handle.db));
});
afterAll(async () => handle?.close());

const routes = {
  trace: webHandler((req: Request) => handleTraceDetail(handle.db, req)),
  sessions: webHandler((req: Request) => handleSessionList(handle.db, req)),
};

async function call<T>(route: keyof typeof routes, query: Record<string, string>, auth: { key?: string; cookie?: string } = { key }) {
  const req = webRequest(`/api/v1/x?${new URLSearchParams(query)}`, { cookie: auth.cookie, headers: auth.key ? { authorization: `Bearer ${auth.key}` } : {} });
  const res = await routes[route](req, undefined);
  return { status: res.status, json: (await res.json()) as T & { error?: { code: string; message: string } } };
}

describe("trace and sessions API", () => {
  it("an SDK trace with five sequential tools comes back as a waterfall with the parallelism hint", async () => {
    const ingest = await serveHandler(createIngestHandler(() => handle.db));
    try {
      const pitwall = createPitwall({ baseUrl: ingest.url, apiKey: key, agent: "seq-agent", flushOnExit: false });
      let traceId = "";
      await pitwall.trace(
        "ticket",
        async (ctx) => {
          traceId = ctx.traceId;
          for (let i = 0; i < 5; i++) await pitwall.tool(`step${i}`, () => new Promise((r) => setTimeout(r, 40)));
        },
        { sessionId: "sess-seq" },
      );
      await pitwall.flush();
      expect(pitwall.stats).toMatchObject({ sent: 5, rejected: 0, failed: 0 });

      const res = await call<TraceDetail>("trace", { traceId });
      expect(res.status).toBe(200);
      expect(res.json.events.map((e) => e.name)).toEqual(["step0", "step1", "step2", "step3", "step4"]);
      expect(res.json.waterfall.rows.every((r) => r.critical && r.depth === 0)).toBe(true);
      expect(res.json.waterfall.hints).toHaveLength(1);
      expect(res.json.waterfall.hints[0]!.toolIds).toHaveLength(5);
      // Timer latency varies with load: check the arithmetic, not one machine's numbers.
      const hint = res.json.waterfall.hints[0]!;
      expect(hint.sequentialMs).toBeGreaterThanOrEqual(5 * 39);
      expect(hint.parallelMs).toBe(Math.max(...res.json.events.map((e) => e.latencyMs)));
      expect(hint.message).toBe(`sequential: ${seconds(hint.sequentialMs)} of tools could run in ${seconds(hint.parallelMs)} in parallel`);
      expect(res.json.totals).toMatchObject({ llmCalls: 0, toolCalls: 5 });
    } finally {
      await ingest.close();
    }
  });

  it("a trace's cost total counts the priced calls and says how many unpriced ones it leaves out", async () => {
    const accepted = await ingestBatch(handle.db, project.id, [
      llmEvent({ traceId: "t-unpriced" }),
      llmEvent({ traceId: "t-unpriced", model: "no-such-model-xyz" }),
      llmEvent({ traceId: "t-unpriced", model: "no-such-model-xyz" }),
    ]);
    expect(accepted.accepted).toBe(3);
    const res = await call<TraceDetail>("trace", { traceId: "t-unpriced" });
    expect(res.status).toBe(200);
    expect(res.json.totals.llmCalls).toBe(3);
    expect(res.json.totals.unpricedCalls).toBe(2);
    expect(res.json.totals.costUsd).toBeGreaterThan(0);
    expect(res.json.events.filter((e) => e.costSource === "unpriced")).toHaveLength(2);
  });

  it("a trace of another project, or an unknown one, is a 404", async () => {
    await ingestBatch(handle.db, project.id, [llmEvent({ traceId: "t-private" })]);
    const other = await projectWithKey(handle.db);
    expect((await call("trace", { traceId: "t-private" }, { key: other.key })).status).toBe(404);
    expect((await call("trace", { traceId: "nope" })).status).toBe(404);
    expect((await call("trace", {}, { key })).status).toBe(400);
  });

  it("lists sessions with calls, tokens, cost and input growth by turn, most recent first", async () => {
    const base = Date.now() - 30 * 60_000;
    const turn = (session: string, i: number, input: number) =>
      llmEvent({ sessionId: session, agent: "chat", timestamp: new Date(base + i * 60_000).toISOString(), inputTokens: input, cacheReadTokens: 100, outputTokens: 50, model: "claude-haiku-4-5" });
    await ingestBatch(handle.db, project.id, [turn("grow", 0, 900), turn("grow", 1, 1400), turn("grow", 2, 1900), turn("flat", 5, 500), turn("flat", 6, 500)]);
    const viewer = await signedInUser(handle.db, { projectId: project.id, role: "viewer", email: "viewer@example.test" });
    const res = await call<SessionPage>("sessions", { project: project.slug, range: "24h" }, { cookie: viewer.cookie });
    expect(res.status).toBe(200);
    const [flat, grow] = [res.json.sessions.find((s) => s.sessionId === "flat")!, res.json.sessions.find((s) => s.sessionId === "grow")!];
    expect(res.json.sessions.indexOf(flat)).toBeLessThan(res.json.sessions.indexOf(grow));
    expect(grow).toMatchObject({ llmCalls: 3, toolCalls: 0, tokens: 900 + 1400 + 1900 + 3 * 150, inputByTurn: [1000, 1500, 2000], growth: { turns: 3, perTurn: 500 } });
    expect(grow.costUsd).toBeGreaterThan(0);
    expect(flat.growth.perTurn).toBe(0);
    expect(res.json.total).toBe(res.json.sessions.length);
    const limited = await call<SessionPage>("sessions", { range: "24h", limit: "1" });
    expect(limited.json.sessions).toHaveLength(1);
    expect(limited.json.total).toBeGreaterThanOrEqual(3);
  });

  it("refuses bad parameters with a 400 naming them", async () => {
    const res = await call("sessions", { limit: "0" });
    expect(res.status).toBe(400);
    expect(res.json.error?.message).toMatch(/limit/);
  });
});
