import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { saveVersion } from "../policies/policy-queries";
import { responseCacheKey } from "../response-cache/cache-key";
import { createResponseCache } from "../response-cache/create-response-cache";
import type { ResponseCache } from "../response-cache/response-cache";
import { projectWithKey } from "../auth/testing/project-with-key";
import { startHarness, waitFor, waitForEvents, type Harness } from "./testing/gateway-harness";

/** The anthropic-version these clients send (part of the cache key). */
const v = { defaultHeaders: { "anthropic-version": "2023-06-01" } };
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
let handle: DbHandle;
let projectId: string;
let caches: ResponseCache[] = [];
let a: Harness;
let b: Harness;
let prefix: string;

beforeAll(async () => {
  handle = await createTestDb();
  const p = await projectWithKey(handle.db);
  projectId = p.project.id;
  // Callers choose the TTL with x-pitwall-cache-ttl (by default it may only lower the policy's).
  await saveVersion(handle.db, { projectId, kind: "cache", document: { rules: [], clientTtl: "any" } });
  // Two gateway instances (as two processes would be): each its own LRU, one shared Redis.
  prefix = `pitwall-test-${randomBytes(4).toString("hex")}:`;
  caches = [createResponseCache(handle.db, { redisUrl: REDIS_URL, redisPrefix: prefix }), createResponseCache(handle.db, { redisUrl: REDIS_URL, redisPrefix: prefix })];
  // Until its client is connected a Redis store drops writes (as while Redis is down): wait for it.
  await Promise.all(caches.map((c) => c.ready()));
  a = await startHarness(handle, p.key, { responseCache: caches[0] });
  b = await startHarness(handle, p.key, { responseCache: caches[1] });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  for (const c of caches) await c.close();
  await handle?.close();
});

describe("two gateway instances sharing Redis", () => {
  it("share response-cache entries: an answer stored by one is a HIT on the other, identical", async () => {
    const req = { model: "claude-haiku-4-5", max_tokens: 100, messages: [{ role: "user" as const, content: `Shared question ${randomBytes(4).toString("hex")}` }] };
    const ttl = { headers: { "x-pitwall-cache-ttl": "60" } };
    const first = await a.client(v).messages.create(req, ttl).withResponse();
    expect(first.response.headers.get("x-pitwall-cache")).toBe("MISS");
    // Wait until the entry is in Redis, looking through a fresh instance with no LRU of its own.
    const probe = createResponseCache(handle.db, { redisUrl: REDIS_URL, redisPrefix: prefix, lruBytes: 0 });
    const key = responseCacheKey(req, { projectId, anthropicVersion: "2023-06-01" });
    await waitFor(async () => (await probe.get(key, projectId)) !== null, 5_000);
    await probe.close();
    const simCallsBefore = b.sim.simulator.stats.requests;
    const second = await b.client(v).messages.create(req, ttl).withResponse();
    expect(second.response.headers.get("x-pitwall-cache")).toBe("HIT");
    expect(second.data).toEqual(first.data);
    expect(b.sim.simulator.stats.requests).toBe(simCallsBefore); // B never called its upstream
    const id = second.response.headers.get("x-pitwall-request-id")!;
    expect((await waitForEvents(handle, projectId, [id])).get(id)).toMatchObject({ responseCache: "hit" });
  });
});
