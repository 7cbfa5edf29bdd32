import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { createProject } from "../projects/project-queries";
import { PostgresResponseCache } from "./postgres-response-cache";
import { createResponseCache, RetentionBoundCache, retentionTtlSec, TieredResponseCache } from "./create-response-cache";
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
});
