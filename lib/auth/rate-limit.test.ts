import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { toAppError } from "../errors";
import { createIngestHandler } from "../ingestion/http-handler";
import { updateProject } from "../projects/project-queries";
import { serveHandler } from "../http/testing/serve-handler";
import { llmEvent } from "../events/testing/llm-event";
import { projectWithKey } from "./testing/project-with-key";
import { KeyRateLimiter, keyRateLimiter, keyRateLimitOf } from "./rate-limit";
import { memoryLimiters, redisLimiters } from "./rate-limit-store";

let handle: DbHandle;

beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

async function outcomes(limiter: KeyRateLimiter, key: { keyId: string; projectId: string }, n: number) {
  const results = await Promise.all(
    Array.from({ length: n }, () =>
      limiter.enforce(handle.db, key).then(
        () => ({ ok: true, retryAfter: undefined as number | undefined, status: 200 }),
        (err) => ({ ok: false, retryAfter: toAppError(err).retryAfter, status: toAppError(err).status }),
      ),
    ),
  );
  return { allowed: results.filter((r) => r.ok).length, refused: results.filter((r) => !r.ok) };
}

describe("per-key rate limit (memory)", () => {
  it("allows the project's rate plus its burst, then answers 429 with Retry-After", async () => {
    const { project, keyId } = await projectWithKey(handle.db);
    await updateProject(handle.db, project.id, { settings: { rateLimitPerSecond: 5, rateLimitBurst: 3 } });
    const limiter = new KeyRateLimiter(memoryLimiters());
    const { allowed, refused } = await outcomes(limiter, { keyId, projectId: project.id }, 12);
    expect(allowed).toBe(8);
    expect(refused).toHaveLength(4);
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.retryAfter).toBeGreaterThanOrEqual(1);
    }
  });

  it("counts each key separately and applies each project's own setting", async () => {
    const a = await projectWithKey(handle.db);
    const b = await projectWithKey(handle.db);
    await updateProject(handle.db, a.project.id, { settings: { rateLimitPerSecond: 2, rateLimitBurst: 0 } });
    await updateProject(handle.db, b.project.id, { settings: { rateLimitPerSecond: 6, rateLimitBurst: 0 } });
    const limiter = new KeyRateLimiter(memoryLimiters());
    expect((await outcomes(limiter, { keyId: a.keyId, projectId: a.project.id }, 10)).allowed).toBe(2);
    expect((await outcomes(limiter, { keyId: b.keyId, projectId: b.project.id }, 10)).allowed).toBe(6);
  });

  it("a rate of 0 turns the limit off", async () => {
    const { project, keyId } = await projectWithKey(handle.db);
    await updateProject(handle.db, project.id, { settings: { rateLimitPerSecond: 0 } });
    expect((await outcomes(new KeyRateLimiter(memoryLimiters()), { keyId, projectId: project.id }, 50)).allowed).toBe(50);
  });

  it("defaults to a generous limit when the project sets none", () => {
    expect(keyRateLimitOf({})).toEqual({ perSecond: 1000, burst: 2000 });
    expect(keyRateLimitOf({ rateLimitPerSecond: 10 })).toEqual({ perSecond: 10, burst: 20 });
  });
});

const redisUrl = process.env.REDIS_URL_FOR_TESTS ?? process.env.REDIS_URL;

describe.runIf(Boolean(redisUrl))("per-key rate limit (Redis, shared by processes)", () => {
  it("two limiters (two processes) on one Redis share the key's budget", async () => {
    const client = new Redis(redisUrl!, { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
    try {
      await client.ping();
      const { project } = await projectWithKey(handle.db);
      await updateProject(handle.db, project.id, { settings: { rateLimitPerSecond: 4, rateLimitBurst: 2 } });
      // A random key id so reruns and parallel CI jobs never share counters.
      const key = { keyId: randomBytes(8).toString("hex"), projectId: project.id };
      const one = new KeyRateLimiter(redisLimiters(client));
      const two = new KeyRateLimiter(redisLimiters(client));
      const [a, b] = await Promise.all([outcomes(one, key, 5), outcomes(two, key, 5)]);
      expect(a.allowed + b.allowed).toBe(6);
      expect([...a.refused, ...b.refused].every((r) => r.status === 429 && r.retryAfter! >= 1)).toBe(true);
    } finally {
      client.disconnect();
    }
  });
});

describe("ingestion hot path", () => {
  it("answers 429 with Retry-After once a key is over its project's limit", async () => {
    const { project, key } = await projectWithKey(handle.db);
    await updateProject(handle.db, project.id, { settings: { rateLimitPerSecond: 2, rateLimitBurst: 0 } });
    keyRateLimiter().invalidate(project.id);
    const server = await serveHandler(createIngestHandler(() => handle.db));
    try {
      const send = () =>
        fetch(`${server.url}/api/v1/events`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          body: JSON.stringify({ events: [llmEvent()] }),
        });
      // Sent together so all four land in one one-second window even on a slow machine.
      const responses = await Promise.all(Array.from({ length: 4 }, send));
      const statuses = responses.map((r) => r.status);
      const limited = responses.find((r) => r.status === 429)!;
      const retryAfter = limited.headers.get("retry-after");
      expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("rate_limited:api_key");
      expect(statuses.filter((s) => s === 200).length).toBe(2);
      expect(statuses.filter((s) => s === 429).length).toBe(2);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await server.close();
    }
  });
});
