import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { runRetention } from "../events/retention";
import { createProject } from "../projects/project-queries";
import { PostgresResponseCache } from "./postgres-response-cache";
import { createResponseCache, getResponseCache, RetentionBoundCache, retentionTtlSec, TieredResponseCache } from "./create-response-cache";
import { cachedMessage } from "./testing/cached-message";

let handle: DbHandle;
let projectA: string;
let projectB: string;

beforeAll(async () => {
  handle = await createTestDb();
  projectA = (await createProject(handle.db, { slug: "rc-a" })).id;
  projectB = (await createProject(handle.db, { slug: "rc-b" })).id;
});
afterAll(async () => {
  await handle?.close();
});

async function rowCount(): Promise<number> {
  return rowsOf<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from response_cache`))[0]!.n;
}

describe("PostgresResponseCache", () => {
  it("stores a message and reads it back intact, scoped to its project", async () => {
    const cache = new PostgresResponseCache(handle.db);
    const entry = cachedMessage(projectA, { text: "héllo ✓ \"quoted\"" });
    expect(await cache.set("pg-k1", entry, 60)).toBe(true);
    const got = await cache.get("pg-k1", projectA);
    expect(got).toMatchObject({ projectId: projectA, model: entry.model, message: entry.message, createdAt: entry.createdAt });
    expect(got!.expiresAt! - Date.now()).toBeGreaterThan(55_000);
    expect(await cache.get("pg-k1", projectB)).toBeNull();
  });

  it("overwrites an entry under the same key", async () => {
    const cache = new PostgresResponseCache(handle.db);
    await cache.set("pg-k2", cachedMessage(projectA, { text: "old" }), 60);
    await cache.set("pg-k2", cachedMessage(projectA, { text: "new" }), 60);
    expect((await cache.get("pg-k2", projectA))?.message.content).toEqual([{ type: "text", text: "new" }]);
  });

  it("ignores expired rows and sweeps them", async () => {
    let now = Date.now();
    const cache = new PostgresResponseCache(handle.db, { now: () => now, sweepEveryMs: Number.MAX_SAFE_INTEGER });
    await cache.set("pg-exp-1", cachedMessage(projectA), 10);
    await cache.set("pg-exp-2", cachedMessage(projectA), 10);
    await cache.set("pg-live", cachedMessage(projectA), 3600);
    expect(await cache.get("pg-exp-1", projectA)).not.toBeNull();
    now += 11_000;
    expect(await cache.get("pg-exp-1", projectA)).toBeNull();
    const before = await rowCount();
    expect(await cache.sweep()).toBeGreaterThanOrEqual(2);
    expect(await rowCount()).toBeLessThanOrEqual(before - 2);
    expect(await cache.get("pg-live", projectA)).not.toBeNull();
  });

  it("refuses entries over the size cap and non-positive TTLs", async () => {
    const cache = new PostgresResponseCache(handle.db, { maxEntryBytes: 2048 });
    expect(await cache.set("pg-big", cachedMessage(projectA, { textChars: 5000 }), 60)).toBe(false);
    expect(await cache.set("pg-zero", cachedMessage(projectA), 0)).toBe(false);
    expect(await cache.get("pg-big", projectA)).toBeNull();
  });

  it("is what createResponseCache picks without Redis, behind an LRU", async () => {
    const cache = createResponseCache(handle.db, { redisUrl: "" });
    expect(cache).toBeInstanceOf(RetentionBoundCache);
    const tiered = (cache as RetentionBoundCache).inner as TieredResponseCache;
    expect(tiered).toBeInstanceOf(TieredResponseCache);
    expect(tiered.back).toBeInstanceOf(PostgresResponseCache);
    const entry = cachedMessage(projectA);
    await cache.set("pg-tier", entry, 60);
    // A second process (a fresh cache on the same database) reads it from the table.
    const other = (createResponseCache(handle.db, { redisUrl: "" }) as RetentionBoundCache).inner as TieredResponseCache;
    expect(other.front.peek("pg-tier", projectA)).toBeNull();
    expect((await other.get("pg-tier", projectA))?.message).toEqual(entry.message);
    expect(other.front.peek("pg-tier", projectA)).not.toBeNull();
    await cache.close();
    await other.close();
  });

  it("keeps no entry longer than PITWALL_RETENTION_DAYS, whatever TTL it is given", async () => {
    expect(retentionTtlSec({})).toBe(30 * 86_400);
    expect(retentionTtlSec({ PITWALL_RETENTION_DAYS: "7" })).toBe(7 * 86_400);
    const cache = createResponseCache(handle.db, { redisUrl: "", lruBytes: 0, maxTtlSec: retentionTtlSec({ PITWALL_RETENTION_DAYS: "1" }) });
    await cache.set("pg-retention", cachedMessage(projectA), 30 * 86_400);
    const got = await cache.get("pg-retention", projectA);
    expect(got!.expiresAt! - Date.now()).toBeLessThanOrEqual(86_400_000);
    expect(got!.expiresAt! - Date.now()).toBeGreaterThan(86_400_000 - 60_000);
    await cache.close();
  });

  it("serves no entry stored before the retention was lowered, and the retention job deletes it", async () => {
    const day = 86_400_000;
    // Stored while the retention was 30 days: three days old, 27 days of TTL left.
    const old = { ...cachedMessage(projectA, { text: "kept under the old retention" }), createdAt: Date.now() - 3 * day };
    await new PostgresResponseCache(handle.db).set("pg-old-retention", old, 30 * 86_400);
    const keptFresh = cachedMessage(projectA, { text: "fresh" });
    await new PostgresResponseCache(handle.db).set("pg-new-retention", keptFresh, 3600);
    // Restarted with PITWALL_RETENTION_DAYS=1.
    const cache = createResponseCache(handle.db, { redisUrl: "", maxTtlSec: retentionTtlSec({ PITWALL_RETENTION_DAYS: "1" }) });
    expect(await cache.get("pg-old-retention", projectA)).toBeNull();
    expect((await cache.get("pg-new-retention", projectA))?.message).toEqual(keptFresh.message);
    getResponseCache(handle.db); // registers the cache's clean-up with the retention job
    const removed = await runRetention(handle.db, 1);
    expect(removed.responseCache).toBe(1);
    const left = rowsOf<{ key: string }>(await handle.db.execute(sql`select key from response_cache where key like 'pg-%-retention'`)).map((r) => r.key);
    expect(left).toEqual(["pg-new-retention"]);
    await cache.close();
  });

  describe("size cap", () => {
    const fill = async (cache: PostgresResponseCache, n: number, textChars = 40) => {
      const t0 = Date.now() - n * 1000;
      for (let i = 0; i < n; i++) await cache.set(`cap-${i}`, { ...cachedMessage(projectA, { textChars }), createdAt: t0 + i * 1000 }, 3600);
      await cache.close(); // waits for the background sweep and trim
    };
    const keys = async () => rowsOf<{ key: string }>(await handle.db.execute(sql`select key from response_cache order by created_at`)).map((r) => r.key);

    it("evicts the oldest rows past the entry cap, down to 90% of it", async () => {
      await handle.db.execute(sql`delete from response_cache`);
      const cache = new PostgresResponseCache(handle.db, { caps: { maxEntries: 20, maxBytes: 1 << 30 }, trimEveryMs: 0 });
      await fill(cache, 30);
      const left = await keys();
      expect(left.length).toBeLessThanOrEqual(20);
      expect(left.length).toBeGreaterThanOrEqual(18);
      // The newest are the ones kept.
      expect(left.at(-1)).toBe("cap-29");
      expect(left).not.toContain("cap-0");
      expect(left).toEqual(Array.from({ length: left.length }, (_, i) => `cap-${30 - left.length + i}`));
    });

    it("evicts the oldest rows past the byte cap", async () => {
      await handle.db.execute(sql`delete from response_cache`);
      const one = Buffer.byteLength(JSON.stringify(cachedMessage(projectA, { textChars: 2000 }).message));
      const cache = new PostgresResponseCache(handle.db, { caps: { maxEntries: 1000, maxBytes: one * 10 }, trimEveryMs: 0 });
      await fill(cache, 25, 2000);
      const [row] = rowsOf<{ n: number; bytes: number }>(await handle.db.execute(sql`select count(*)::int as n, coalesce(sum(bytes), 0)::int as bytes from response_cache`));
      expect(row!.bytes).toBeLessThanOrEqual(one * 10);
      expect(row!.n).toBeGreaterThanOrEqual(8);
      expect((await keys()).at(-1)).toBe("cap-24");
    });

    it("a trim measures the table (rows another process wrote count too)", async () => {
      await handle.db.execute(sql`delete from response_cache`);
      await fill(new PostgresResponseCache(handle.db, { caps: { maxEntries: 1000, maxBytes: 1 << 30 } }), 12);
      const small = new PostgresResponseCache(handle.db, { caps: { maxEntries: 5, maxBytes: 1 << 30 } });
      expect(await small.trim()).toBe(8);
      expect(await keys()).toEqual(["cap-8", "cap-9", "cap-10", "cap-11"]);
    });
  });
});
