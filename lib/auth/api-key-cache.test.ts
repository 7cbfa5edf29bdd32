import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/client";
import { hashSecret, parseSecret } from "./api-key-secret";
import { apiKeyCacheSizes, clearApiKeyCache, KEY_CACHE_MAX, NEGATIVE_CACHE_MAX, resolveApiKey } from "./api-keys";
import { projectIdForSlug, SLUG_CACHE_MAX, SLUG_TTL_MS } from "./project-slug-cache";

/**
 * The key caches, against a stand-in database that answers `select ... where lookup_id = ?` from a
 * map and counts its queries, so a test can tell a cache hit from a lookup.
 */
function fakeKeyDb(keys: Record<string, { id: string; projectId: string }>) {
  const queries: string[] = [];
  const rows = new Map(
    Object.entries(keys).map(([secret, k]) => {
      const salt = "00".repeat(16);
      return [parseSecret(secret)!.lookupId, { id: k.id, projectId: k.projectId, salt, secretHash: hashSecret(salt, secret), scopes: ["ingest"] }];
    }),
  );
  return fakeDb(rows, queries);
}

/** A stand-in db whose selects look one bound string parameter up in `rows`. */
function fakeDb(rows: Map<string, unknown>, queries: string[] = []) {
  const db = {
    select: () => ({
      from: () => ({
        where: (cond: unknown) => {
          const param = boundString(cond);
          return { limit: async () => (queries.push(param), rows.has(param) ? [rows.get(param)] : []) };
        },
      }),
    }),
    update: () => ({ set: () => ({ where: async () => [] }) }),
  };
  // A stand-in that counts queries (not a transaction, which the rule is about).
  // eslint-disable-next-line no-restricted-syntax
  return { db: db as unknown as Db, queries };
}

/** The first bound string parameter in a drizzle condition (the lookup id, the slug). */
function boundString(cond: unknown): string {
  const seen = new Set<unknown>();
  let found = "";
  const walk = (v: unknown) => {
    if (found || v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    const value = (v as { value?: unknown }).value;
    if (typeof value === "string" && (v as { constructor?: { name?: string } }).constructor?.name === "Param") found = value;
    for (const child of Object.values(v as Record<string, unknown>)) walk(child);
    if (Array.isArray(v)) v.forEach(walk);
  };
  walk(cond);
  return found;
}

const good = "pw_sk_GOODKEY0" + "a".repeat(32);
const junk = (i: number) => `pw_sk_${i.toString(36).padStart(8, "0")}${"b".repeat(32)}`;

beforeEach(() => {
  clearApiKeyCache();
  // Frozen wall clock: ten thousand lookups must not outlive the 2 s TTL mid-test.
  vi.useFakeTimers({ toFake: ["Date"] });
});
afterEach(() => vi.useRealTimers());

describe("API key cache", () => {
  it("a repeated junk key costs one database query, not one per request", async () => {
    const { db, queries } = fakeKeyDb({});
    for (let i = 0; i < 5; i++) await expect(resolveApiKey(db, junk(1))).rejects.toMatchObject({ status: 401 });
    expect(queries).toHaveLength(1);
  });

  it("10k+ junk keys do not flush the verified keys: a cached key stays a hit", async () => {
    const { db, queries } = fakeKeyDb({ [good]: { id: "k1", projectId: "p1" } });
    await resolveApiKey(db, good);
    expect(queries).toEqual(["GOODKEY0"]);
    for (let i = 0; i < KEY_CACHE_MAX + 50; i++) await resolveApiKey(db, junk(i)).catch(() => {});
    expect(await resolveApiKey(db, good)).toMatchObject({ keyId: "k1", projectId: "p1" });
    expect(queries.filter((q) => q === "GOODKEY0")).toHaveLength(1);
    // Misses are bounded on their own.
    expect(apiKeyCacheSizes()).toEqual({ keys: 1, misses: NEGATIVE_CACHE_MAX });
  });

  it("both caches evict least recently used entries instead of clearing whole", async () => {
    const many: Record<string, { id: string; projectId: string }> = {};
    const secretOf = (i: number) => `pw_sk_${i.toString(36).padStart(8, "0")}${"c".repeat(32)}`;
    for (let i = 0; i <= KEY_CACHE_MAX; i++) many[secretOf(i)] = { id: `k${i}`, projectId: "p" };
    const { db, queries } = fakeKeyDb(many);
    for (let i = 0; i <= KEY_CACHE_MAX; i++) await resolveApiKey(db, secretOf(i));
    expect(apiKeyCacheSizes().keys).toBe(KEY_CACHE_MAX);
    const before = queries.length;
    // The newest keys are still hits; only the oldest (key 0) was evicted.
    await resolveApiKey(db, secretOf(KEY_CACHE_MAX));
    await resolveApiKey(db, secretOf(1));
    expect(queries.length).toBe(before);
    await resolveApiKey(db, secretOf(0));
    expect(queries.length).toBe(before + 1);
  });
});

describe("project slug cache", () => {
  it("keeps recently used slugs when full (evicts the least recently used, never clears whole)", async () => {
    const rows = new Map<string, unknown>();
    for (let i = 0; i <= SLUG_CACHE_MAX + 1; i++) rows.set(`s-${i}`, { id: `id-${i}`, slug: `s-${i}` });
    const { db, queries } = fakeDb(rows);
    for (let i = 0; i <= SLUG_CACHE_MAX + 1; i++) {
      expect(await projectIdForSlug(db, `s-${i}`)).toBe(`id-${i}`);
      if (i % 1000 === 0) await projectIdForSlug(db, "s-1"); // kept in use
    }
    const before = queries.length;
    expect(await projectIdForSlug(db, "s-1")).toBe("id-1");
    expect(await projectIdForSlug(db, `s-${SLUG_CACHE_MAX + 1}`)).toBe(`id-${SLUG_CACHE_MAX + 1}`);
    expect(queries.length).toBe(before);
  });

  it("forgets a slug after its TTL, so a deleted project's slug does not stay mapped", async () => {
    {
      const rows = new Map<string, unknown>([["gone", { id: "id-gone", slug: "gone" }]]);
      const { db, queries } = fakeDb(rows);
      expect(await projectIdForSlug(db, "gone")).toBe("id-gone");
      rows.delete("gone");
      vi.advanceTimersByTime(SLUG_TTL_MS + 1000);
      expect(await projectIdForSlug(db, "gone")).toBeNull();
      expect(queries).toEqual(["gone", "gone"]);
    }
  });
});
