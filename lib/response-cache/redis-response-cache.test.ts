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

async function open(prefix: string, opts: { maxEntryBytes?: number; caps?: { maxEntries: number; maxBytes: number } } = {}) {
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

  describe("size cap and retention", () => {
    const t0 = Date.now() - 3_600_000;
    const aged = (i: number, textChars = 40) => ({ ...cachedMessage(P, { textChars }), createdAt: t0 + i * 1000 });
    const present = async (prefix: string, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) if ((await admin.exists(`${prefix}k${i}`)) === 1) out.push(i);
      return out;
    };

    it("evicts the oldest entries past the entry cap, across instances sharing the prefix", async () => {
      const prefix = freshPrefix();
      const caps = { maxEntries: 5, maxBytes: 1 << 30 };
      const [a, b] = [await open(prefix, { caps }), await open(prefix, { caps })];
      for (let i = 0; i < 8; i++) expect(await (i % 2 ? a : b).set(`k${i}`, aged(i), 60)).toBe(true);
      expect(await present(prefix, 8)).toEqual([3, 4, 5, 6, 7]);
      expect((await a.usage()).entries).toBe(5);
    });

    it("evicts the oldest entries past the byte cap and counts a replaced entry once", async () => {
      const prefix = freshPrefix();
      const probe = await open(freshPrefix());
      await probe.set("size", aged(0, 2000), 60);
      const one = (await probe.usage()).bytes;
      const cache = await open(prefix, { caps: { maxEntries: 1000, maxBytes: one * 4 + 50 } }); // ids vary by a few bytes
      for (let i = 0; i < 4; i++) await cache.set(`k${i}`, aged(i, 2000), 60);
      await cache.set("k3", aged(3, 2000), 60); // the same entry again
      expect(await present(prefix, 4)).toEqual([0, 1, 2, 3]);
      await cache.set("k4", aged(4, 2000), 60);
      expect(await present(prefix, 5)).toEqual([1, 2, 3, 4]);
      const usage = await cache.usage();
      expect(usage).toEqual({ entries: 4, bytes: usage.bytes });
      expect(usage.bytes).toBeLessThanOrEqual(one * 4 + 50);
    });

    it("forgets entries Redis expired, so they no longer count against the cap", async () => {
      const prefix = freshPrefix();
      const cache = await open(prefix, { caps: { maxEntries: 3, maxBytes: 1 << 30 } });
      await cache.set("k0", aged(0), 0.2);
      await cache.set("k1", aged(1), 0.2);
      await new Promise((r) => setTimeout(r, 300));
      await cache.set("k2", aged(2), 60);
      expect(await cache.usage()).toMatchObject({ entries: 1 });
    });

    it("purgeBefore deletes entries created before the cutoff whatever their TTL", async () => {
      const prefix = freshPrefix();
      const cache = await open(prefix);
      for (let i = 0; i < 6; i++) await cache.set(`k${i}`, aged(i), 30 * 86_400);
      expect(await cache.purgeBefore(new Date(t0 + 3000))).toBe(3);
      expect(await present(prefix, 6)).toEqual([3, 4, 5]);
      expect((await cache.usage()).entries).toBe(3);
      expect(await cache.purgeBefore(new Date(t0))).toBe(0);
    });
  });
});
