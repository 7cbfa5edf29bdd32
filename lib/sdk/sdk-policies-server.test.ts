import type { IncomingMessage, ServerResponse } from "node:http";
import Anthropic from "@anthropic-ai/sdk";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { events } from "@/db/schema";
import { createTestDb } from "@/db/test-db";
import { projectWithKey } from "../auth/testing/project-with-key";
import { serveHandler } from "../http/testing/serve-handler";
import { webHandler } from "../http/web-handler";
import { createIngestHandler } from "../ingestion/http-handler";
import { getPolicies } from "../policies/http/policies-handlers";
import { saveVersion } from "../policies/policy-queries";
import { createPitwall, type Pitwall } from "./pitwall";
import { startEchoUpstream, type EchoUpstream } from "./testing/policy-server";

/**
 * pitwall/sdk with policies against Pitwall's own handlers: the real GET /api/v1/policies (ETag,
 * 304, an ingest-only key) and the real POST /api/v1/events, so the events stored say what the
 * policies did.
 */
let handle: DbHandle;
let projectId: string;
let server: { url: string; close: () => Promise<void> };
let upstream: EchoUpstream;
let pw: Pitwall;

beforeAll(async () => {
  handle = await createTestDb();
  const p = await projectWithKey(handle.db, ["ingest"]);
  projectId = p.project.id;
  await saveVersion(handle.db, { projectId, kind: "routing", document: { rules: [{ id: "support-fast", match: { route: "support" }, action: { model: "claude-haiku-4-5" } }] } });
  await saveVersion(handle.db, { projectId, kind: "cache", document: { rules: [{ id: "faq", match: { route: "faq" }, ttlSec: 300 }] } });
  const ingest = createIngestHandler(() => handle.db);
  const policies = webHandler((r) => getPolicies(handle.db, r));
  server = await serveHandler(async (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith("/api/v1/events")) return ingest(req, res);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const answer = await policies(new Request(`http://127.0.0.1${req.url}`, { headers }), undefined);
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  upstream = await startEchoUpstream();
  pw = createPitwall({ baseUrl: server.url, apiKey: p.key, agent: "helpdesk", flushOnExit: false, policies: { refreshMs: 60_000 } });
});
afterAll(async () => {
  await pw?.shutdown(2000);
  await server?.close();
  await upstream?.close();
  await handle?.close();
});

const ask = (content: string) => ({ model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user" as const, content }] });

describe("pitwall/sdk policies against Pitwall's handlers", () => {
  it("routes and caches in process, and the stored events carry the policy version and the cache hit", async () => {
    await pw.policies!.ready();
    expect(pw.policies!.versions).toEqual({ routing: 1, cache: 1 });
    const client = new Anthropic({ apiKey: "sk-ant-test", baseURL: upstream.url, maxRetries: 0 });
    const support = pw.instrument(client, { route: "support" });
    const faq = pw.instrument(client, { route: "faq" });
    expect((await support.messages.create(ask("Where is my order?"))).model).toBe("claude-haiku-4-5");
    const first = await faq.messages.create(ask("Opening hours?"));
    await expect.poll(() => pw.policies!.stats.responseCache!.stored).toBe(1);
    expect(await faq.messages.create(ask("Opening hours?"))).toEqual(first);
    expect(upstream.bodies.map((b) => b.model)).toEqual(["claude-haiku-4-5", "claude-sonnet-4-6"]);

    // Unchanged: a 304. A new routing version: taken on the next refresh.
    await pw.policies!.refresh();
    expect(pw.policies!.stats).toMatchObject({ fetches: 2, notModified: 1, updates: 1, errors: 0 });
    await saveVersion(handle.db, { projectId, kind: "routing", document: { rules: [{ id: "support-opus", match: { route: "support" }, action: { model: "claude-opus-4-6" } }] } });
    await pw.policies!.refresh();
    expect(pw.policies!.versions).toEqual({ routing: 2, cache: 1 });
    expect((await support.messages.create(ask("Where is my order?"))).model).toBe("claude-opus-4-6");

    await pw.flush();
    expect(pw.stats).toMatchObject({ sent: 4, rejected: 0, failed: 0 });
    const rows = await handle.db
      .select({ route: events.route, model: events.model, requestedModel: events.requestedModel, responseCache: events.responseCache, policyVersion: events.policyVersion, inputTokens: events.inputTokens, costNanoUsd: events.costNanoUsd, metadata: events.metadata })
      .from(events)
      .where(and(eq(events.projectId, projectId)))
      .orderBy(asc(events.ts));
    expect(rows.map((r) => [r.route, r.model, r.responseCache, r.policyVersion])).toEqual([
      ["support", "claude-haiku-4-5", "none", 1],
      ["faq", "claude-sonnet-4-6", "miss", 1],
      ["faq", "claude-sonnet-4-6", "hit", 1],
      ["support", "claude-opus-4-6", "none", 2],
    ]);
    const hit = rows[2]!;
    expect(hit.inputTokens).toBe(0);
    expect(Number(hit.costNanoUsd ?? 0)).toBe(0);
    expect(hit.metadata).toMatchObject({ cachePolicyVersion: 1, savedUsage: { inputTokens: 11, outputTokens: 3 }, source: "sdk" });
    expect(rows[0]!.requestedModel).toBe("claude-sonnet-4-6");
  });
});
