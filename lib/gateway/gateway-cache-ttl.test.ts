import Anthropic, { APIError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { saveVersion } from "../policies/policy-queries";
import { responseCacheKey } from "../response-cache/cache-key";
import type { ResponseCache } from "../response-cache/response-cache";
import { projectWithKey } from "../auth/testing/project-with-key";
import { startCachedGateway, type CachedGateway } from "./testing/cached-gateway";
import { waitFor, type Harness } from "./testing/gateway-harness";

/**
 * x-pitwall-cache-ttl can only lower the cache policy's TTL (or turn the cache off) unless the
 * policy opts in; entries are keyed by anthropic-version; a model id must be printable ASCII.
 */
const VERSION = "2023-06-01";
let gw: CachedGateway;
let handle: DbHandle, projectId: string, h: Harness, cache: ResponseCache, client: Anthropic;
let n = 0;

beforeAll(async () => {
  // Route "faq" is cached for 60 s; everything else is off.
  gw = await startCachedGateway({ rules: [{ id: "faq", match: { route: "faq" }, ttlSec: 60, scope: "project" }] }, { anthropicVersion: VERSION });
  ({ handle, projectId, h, cache, client } = gw);
});
afterAll(() => gw?.close());

const ask = () => ({ model: "claude-haiku-4-5", max_tokens: 50, messages: [{ role: "user" as const, content: `TTL question ${++n}` }] });
const headers = (more: Record<string, string>) => ({ headers: more });
const cacheHeader = async (p: ReturnType<Anthropic["messages"]["create"]>) => (await p.withResponse()).response.headers.get("x-pitwall-cache");
const keyOf = (req: object, version = VERSION) => responseCacheKey(req as Record<string, unknown>, { projectId, anthropicVersion: version });

describe("x-pitwall-cache-ttl against the cache policy", () => {
  it("cannot switch the cache on where the policy has it off", async () => {
    const req = ask();
    expect(await cacheHeader(client.messages.create(req, headers({ "x-pitwall-cache-ttl": "2592000" })))).toBe("BYPASS");
    await new Promise((r) => setTimeout(r, 300));
    expect(await cache.get(keyOf(req), projectId)).toBeNull();
    expect(await cacheHeader(client.messages.create(req, headers({ "x-pitwall-cache-ttl": "2592000" })))).toBe("BYPASS");
  });

  it("cannot keep an answer longer than the policy says, but can keep it shorter", async () => {
    const long = ask();
    const t = Date.now();
    expect(await cacheHeader(client.messages.create(long, headers({ "x-pitwall-route": "faq", "x-pitwall-cache-ttl": "2592000" })))).toBe("MISS");
    await waitFor(async () => (await cache.get(keyOf(long), projectId)) !== null, 15_000);
    const entry = (await cache.get(keyOf(long), projectId))!;
    expect(entry.expiresAt! - t).toBeLessThanOrEqual(61_000);

    const short = ask();
    const t2 = Date.now();
    await client.messages.create(short, headers({ "x-pitwall-route": "faq", "x-pitwall-cache-ttl": "5" }));
    await waitFor(async () => (await cache.get(keyOf(short), projectId)) !== null, 15_000);
    expect((await cache.get(keyOf(short), projectId))!.expiresAt! - t2).toBeLessThanOrEqual(6_000);

    const off = ask();
    expect(await cacheHeader(client.messages.create(off, headers({ "x-pitwall-route": "faq", "x-pitwall-cache-ttl": "0" })))).toBe("BYPASS");
  });

  it("replaces the policy's TTL where the policy says clientTtl: any", async () => {
    const other = await projectWithKey(handle.db);
    await saveVersion(handle.db, { projectId: other.project.id, kind: "cache", document: { rules: [], clientTtl: "any" } });
    const c = h.client({ apiKey: other.key, defaultHeaders: { "anthropic-version": VERSION } });
    const req = ask();
    expect(await cacheHeader(c.messages.create(req, headers({ "x-pitwall-cache-ttl": "600" })))).toBe("MISS");
    const key = responseCacheKey(req, { projectId: other.project.id, anthropicVersion: VERSION });
    await waitFor(async () => (await cache.get(key, other.project.id)) !== null, 15_000);
    expect(await cacheHeader(c.messages.create(req, headers({ "x-pitwall-cache-ttl": "600" })))).toBe("HIT");
  });
});

describe("the cache key", () => {
  it("includes anthropic-version: the same body under another version is a miss", async () => {
    const req = ask();
    const faq = { "x-pitwall-route": "faq" };
    expect(await cacheHeader(client.messages.create(req, headers(faq)))).toBe("MISS");
    await waitFor(async () => (await cache.get(keyOf(req), projectId)) !== null, 15_000);
    expect(await cacheHeader(client.messages.create(req, headers(faq)))).toBe("HIT");
    expect(await cacheHeader(client.messages.create(req, headers({ ...faq, "anthropic-version": "2026-10-21" })))).toBe("MISS");
  });
});

describe("the model id", () => {
  for (const model of ["claude-é", "claude\u0000x", "claude\nx", "模型"]) {
    it(`${JSON.stringify(model)} is the SDK's 400 invalid_request_error, not a 500`, async () => {
      const before = h.sim.simulator.stats.requests;
      const err = await client.messages.create({ ...ask(), model }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Anthropic.BadRequestError);
      expect((err as APIError).error).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringMatching(/model: must be printable ASCII/) } });
      expect(h.sim.simulator.stats.requests).toBe(before);
    });
  }
});
