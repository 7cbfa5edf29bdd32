import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import { openPostgres, type DbHandle } from "@/db/client";
import { createProject } from "../projects/project-queries";
import { ActivePolicyCache, getActivePolicies } from "./active-policies";
import { saveVersion } from "./policy-queries";

let handle: DbHandle & { url?: string };

beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

const routing = (model: string) => ({ rules: [{ id: "all", action: { model } }] });
const newProject = async (slug: string) => (await createProject(handle.db, { slug })).id;

/** Polls `read` until `done` holds; returns the milliseconds it took. */
async function timeUntil<T>(read: () => Promise<T>, done: (v: T) => boolean, limitMs = 5000): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (done(await read())) return performance.now() - start;
    if (performance.now() - start > limitMs) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("getActivePolicies", () => {
  it("serves the empty policies at version 0 before anything is saved", async () => {
    const p = await newProject("ap-empty");
    expect(await getActivePolicies(handle.db, p)).toEqual({ routing: { rules: [], default: {} }, routingVersion: 0, cache: { rules: [], default: { ttlSec: 0, scope: "project" } }, cacheVersion: 0 });
  });

  it("keeps one cached value per interval and re-checks the version after it", async () => {
    const p = await newProject("ap-interval");
    await saveVersion(handle.db, { projectId: p, kind: "routing", document: routing("m-1") });
    let now = 0;
    const cache = new ActivePolicyCache(handle.db, { now: () => now, checkIntervalMs: 1000 });
    expect((await cache.get(p)).routingVersion).toBe(1);
    // A change written behind this cache's back (as another process would).
    await handle.db.execute(sql`insert into policy_versions (project_id, kind, version, document) values (${p}::uuid, 'routing', 2, ${JSON.stringify(routing("m-2"))}::jsonb)`);
    await handle.db.execute(sql`update active_policies set version = 2 where project_id = ${p}::uuid and kind = 'routing'`);
    now = 999;
    const stale = await cache.get(p);
    expect(stale.routingVersion).toBe(1);
    now = 1000;
    const fresh = await cache.get(p);
    expect(fresh.routingVersion).toBe(2);
    expect(fresh.routing.rules[0]!.action.model).toBe("m-2");
    // Unchanged versions keep the same document objects (no re-parse).
    now = 2500;
    expect((await cache.get(p)).routing).toBe(fresh.routing);
  });

  it("answers concurrent reads with one load", async () => {
    const p = await newProject("ap-concurrent");
    await saveVersion(handle.db, { projectId: p, kind: "cache", document: { default: { ttlSec: 30 } } });
    const cache = new ActivePolicyCache(handle.db);
    const all = await Promise.all(Array.from({ length: 10 }, () => cache.get(p)));
    expect(new Set(all).size).toBe(1);
    expect(all[0]!.cache.default.ttlSec).toBe(30);
  });

  it("keeps serving the last known policies when the database fails", async () => {
    const p = await newProject("ap-outage");
    await saveVersion(handle.db, { projectId: p, kind: "routing", document: routing("m-kept") });
    let now = 0;
    let failing = false;
    const flaky = new Proxy(handle.db, {
      get(target, prop, receiver) {
        if (prop === "select" && failing) return () => { throw Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" }); };
        return Reflect.get(target, prop, receiver);
      },
    });
    const cache = new ActivePolicyCache(flaky, { now: () => now });
    expect((await cache.get(p)).routing.rules[0]!.action.model).toBe("m-kept");
    failing = true;
    now = 5000;
    expect((await cache.get(p)).routing.rules[0]!.action.model).toBe("m-kept");
  });

  it.skipIf(!process.env.DATABASE_URL)("sees a change made through another connection (another process) within 2 s", async () => {
    const other = openPostgres(handle.url!, { max: 2 });
    try {
      const p = await newProject("ap-cross");
      await saveVersion(handle.db, { projectId: p, kind: "routing", document: routing("m-before") });
      // The other "process" reads and caches version 1.
      expect((await getActivePolicies(other.db, p)).routingVersion).toBe(1);
      // This process saves version 2; the other handle has its own cache and gets no invalidation.
      await saveVersion(handle.db, { projectId: p, kind: "routing", document: routing("m-after") });
      const ms = await timeUntil(() => getActivePolicies(other.db, p), (v) => v.routingVersion === 2);
      expect(ms).toBeLessThan(2000);
      expect((await getActivePolicies(other.db, p)).routing.rules[0]!.action.model).toBe("m-after");
    } finally {
      await other.close();
    }
  });
});
