import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisResponseCache } from "./redis-response-cache";
import { TieredResponseCache } from "./create-response-cache";
import { LruResponseCache } from "./lru-response-cache";
import { cachedMessage } from "./testing/cached-message";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const P = "project-a";

let admin: Redis;
const opened: RedisResponseCache[] = [];

async function open(prefix: string, opts: { maxEntryBytes?: number } = {}) {
  const cache = new RedisResponseCache({ url: REDIS_URL, prefix, ...opts });
  opened.push(cache);
  await cache.ready();
  return cache;
}

const freshPrefix = () => `pitwall-test:${randomBytes(6).toString("hex")}:`;

beforeAll(async () => {
  admin = new Redis(REDIS_URL);
});
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await admin.quit();
});

describe("RedisResponseCache", () => {
  it("stores and reads an entry under its prefix with a Redis TTL", async () => {
    const prefix = freshPrefix();
    const cache = await open(prefix);
    const entry = cachedMessage(P);
    expect(await cache.set("k1", entry, 30)).toBe(true);
    const got = await cache.get("k1", P);
    expect(got).toMatchObject({ projectId: P, model: entry.model, message: entry.message, createdAt: entry.createdAt });
    expect(got!.expiresAt! - Date.now()).toBeGreaterThan(25_000);
    const pttl = await admin.pttl(`${prefix}k1`);
    expect(pttl).toBeGreaterThan(25_000);
    expect(pttl).toBeLessThanOrEqual(30_000);
  });

  it("never serves an entry to another project", async () => {
    const cache = await open(freshPrefix());
    await cache.set("k", cachedMessage(P), 30);
    expect(await cache.get("k", "project-b")).toBeNull();
  });

  it("expires entries after their TTL", async () => {
    const cache = await open(freshPrefix());
    await cache.set("short", cachedMessage(P), 0.3);
    expect(await cache.get("short", P)).not.toBeNull();
    await new Promise((r) => setTimeout(r, 450));
    expect(await cache.get("short", P)).toBeNull();
  });

  it("refuses entries over the size cap", async () => {
    const prefix = freshPrefix();
    const cache = await open(prefix, { maxEntryBytes: 4096 });
    expect(await cache.set("big", cachedMessage(P, { textChars: 10_000 }), 30)).toBe(false);
    expect(await admin.exists(`${prefix}big`)).toBe(0);
  });

  it("shares entries between two instances on one Redis, each with its own LRU", async () => {
    const prefix = freshPrefix();
    const a = new TieredResponseCache(new LruResponseCache(), await open(prefix));
    const b = new TieredResponseCache(new LruResponseCache(), await open(prefix));
    const entry = cachedMessage(P, { text: "shared answer" });
    expect(await b.get("k", P)).toBeNull();
    await a.set("k", entry, 30);
    const seen = await b.get("k", P);
    expect(seen?.message).toEqual(entry.message);
    // b copied it into its own LRU with the same deadline as Redis.
    expect(b.front.peek("k", P)?.expiresAt).toBe(seen!.expiresAt);
  });

  it("answers misses (never throws) when Redis is unreachable", async () => {
    const down = new RedisResponseCache({ url: "redis://127.0.0.1:1", prefix: freshPrefix() });
    opened.push(down);
    expect(await down.get("k", P)).toBeNull();
    expect(await down.set("k", cachedMessage(P), 30)).toBe(false);
  });
});
