import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { projectWithKey } from "../auth/testing/project-with-key";
import { REFERENCE_MANIFEST } from "../demo/reference/manifest";
import { llmEvent } from "../events/testing/llm-event";
import { ingestBatch } from "../ingestion/ingest-batch";
import { CachePolicy } from "../policies/cache-policy-schema";
import { RoutingPolicy } from "../policies/routing-policy-schema";
import { analyzeFindings } from "./findings/analyze-findings";
import { runReplay } from "./replay/run-replay";
import { manifestTraffic } from "./testing/manifest-traffic";
import { worldPrices } from "./testing/traffic-world";
import type { Traffic } from "./traffic";
import { TrafficCache } from "./traffic-cache";
import { loadTraffic, windowStamp, type LoadTrafficParams } from "./traffic-load";

let handle: DbHandle;
let projectId: string;
const BASE = Date.now() - 7_200_000;
const at = (s: number) => new Date(BASE + s * 1000).toISOString();
const window = (over: Partial<LoadTrafficParams> = {}): LoadTrafficParams => ({ projectId, from: new Date(BASE), to: new Date(BASE + 3_600_000), ...over });

beforeAll(async () => {
  handle = await createTestDb();
  projectId = (await projectWithKey(handle.db)).project.id;
  const r = await ingestBatch(handle.db, projectId, [
    llmEvent({ id: "a1", timestamp: at(10), route: "faq" }),
    llmEvent({ id: "a2", timestamp: at(20), route: "faq", costUsd: 0.25 }),
    { id: "t1", timestamp: at(15), kind: "tool", latencyMs: 100, metadata: { name: "search" } },
    llmEvent({ id: "pg", timestamp: at(12), route: "playground" }),
  ]);
  expect(r.rejected).toEqual([]);
});
afterAll(async () => handle?.close());

/** A cache over the real loader that counts the loads it made. */
function countingCache(opts: { maxRows?: number; idleMs?: number } = {}) {
  const counts = { loads: 0 };
  const cache = new TrafficCache({
    ...opts,
    load: (db: Db, p: LoadTrafficParams) => {
      counts.loads++;
      return loadTraffic(db, p);
    },
  });
  return { cache, counts };
}

describe("windowStamp", () => {
  it("reads the same stamp the loader takes from the rows it loaded (tool spans counted, playground left out)", async () => {
    const t = await loadTraffic(handle.db, window());
    expect(t.stamp!.rows).toBe(3);
    expect(t.stamp!.llmCostNano).toBe(t.llm.costNano[0]! + t.llm.costNano[1]!);
    expect(t.stamp!.lastReceivedUs).toBeGreaterThan((BASE - 60_000) * 1000);
    expect(await windowStamp(handle.db, window())).toEqual(t.stamp);
  });

  it("reads zeros for an empty window, as the loader does", async () => {
    const empty = window({ from: new Date(BASE - 86_400_000), to: new Date(BASE - 3_600_000) });
    const t = await loadTraffic(handle.db, empty);
    expect(t.stamp).toEqual({ rows: 0, lastReceivedUs: 0, llmCostNano: 0, llmUnpriced: 0 });
    expect(await windowStamp(handle.db, empty)).toEqual(t.stamp);
  });
});

describe("TrafficCache", () => {
  it("answers a window asked for again from memory while it is unchanged, with its progress at 1", async () => {
    const { cache, counts } = countingCache();
    const first = await cache.get(handle.db, window());
    const progress: number[] = [];
    const again = await cache.get(handle.db, window({ onProgress: (f) => progress.push(f) }));
    expect(again).toBe(first);
    expect(counts.loads).toBe(1);
    expect(progress).toEqual([1]);
    expect(cache.hits).toBe(1);
  });

  it("loads afresh once an event is added to the window, and not for one added outside it", async () => {
    const { cache, counts } = countingCache();
    const first = await cache.get(handle.db, window());
    await ingestBatch(handle.db, projectId, [llmEvent({ id: "outside", timestamp: at(5000) })]);
    expect(await cache.get(handle.db, window())).toBe(first);
    await ingestBatch(handle.db, projectId, [llmEvent({ id: "late-arrival", timestamp: at(30) })]);
    const fresh = await cache.get(handle.db, window());
    expect(counts.loads).toBe(2);
    expect(fresh.llm.length).toBe(first.llm.length + 1);
    expect(fresh.llm.id.at(fresh.llm.length - 1)).toBe("late-arrival");
  });

  it("loads afresh once an event in the window is repriced or deleted", async () => {
    const { cache, counts } = countingCache();
    const first = await cache.get(handle.db, window());
    await handle.db.execute(sql`update events set cost_nano_usd = cost_nano_usd + 1 where project_id = ${projectId}::uuid and id = 'a1'`);
    const repriced = await cache.get(handle.db, window());
    expect(counts.loads).toBe(2);
    expect(repriced.stamp!.llmCostNano).toBe(first.stamp!.llmCostNano + 1);
    await handle.db.execute(sql`delete from events where project_id = ${projectId}::uuid and id = 't1'`);
    const deleted = await cache.get(handle.db, window());
    expect(counts.loads).toBe(3);
    expect(deleted.tools.length).toBe(repriced.tools.length - 1);
  });

  it("loads afresh once calls change only from unpriced to priced (a $0 price added)", async () => {
    const { cache, counts } = countingCache();
    await ingestBatch(handle.db, projectId, [llmEvent({ id: "free-model", timestamp: at(40), model: "llama-local-free" })]);
    const first = await cache.get(handle.db, window());
    expect(first.stamp!.llmUnpriced).toBe(1);
    await handle.db.execute(sql`update events set cost_source = 'computed' where project_id = ${projectId}::uuid and id = 'free-model'`);
    const repriced = await cache.get(handle.db, window());
    expect(counts.loads).toBe(2);
    expect(repriced.stamp!.llmUnpriced).toBe(0);
    expect(repriced.stamp!.llmCostNano).toBe(first.stamp!.llmCostNano);
  });

  it("loads a window once for two requests asking for it at the same time", async () => {
    const { cache, counts } = countingCache();
    const [a, b] = await Promise.all([cache.get(handle.db, window()), cache.get(handle.db, window())]);
    expect(b).toBe(a);
    expect(counts.loads).toBe(1);
    expect(cache.size).toBe(1);
  });

  it("loads the window itself when the request it was waiting on is cancelled", async () => {
    const { cache, counts } = countingCache();
    const ac = new AbortController();
    const first = cache.get(handle.db, window({ signal: ac.signal }));
    const second = cache.get(handle.db, window());
    ac.abort();
    await expect(first).rejects.toThrow();
    const t = await second;
    expect(t.stamp!.rows).toBeGreaterThan(0);
    expect(counts.loads).toBe(2);
  });

  it("keeps each project, window and database apart", async () => {
    const { cache, counts } = countingCache();
    const other = (await projectWithKey(handle.db)).project.id;
    await cache.get(handle.db, window());
    await cache.get(handle.db, window({ projectId: other }));
    await cache.get(handle.db, window({ to: new Date(BASE + 3_000_000) }));
    const second = await createTestDb();
    try {
      await cache.get(second.db, window());
    } finally {
      await second.close();
    }
    expect(counts.loads).toBe(4);
    expect(cache.size).toBe(3);
  });

  it("keeps no window larger than its row budget, and lets the least recently used go first", async () => {
    const { cache, counts } = countingCache({ maxRows: 2 });
    await cache.get(handle.db, window());
    expect(cache.size).toBe(0);
    const small = countingCache({ maxRows: 1 });
    const w1 = window({ from: new Date(BASE + 9_000), to: new Date(BASE + 11_000) });
    const w2 = window({ from: new Date(BASE + 19_000), to: new Date(BASE + 21_000) });
    await small.cache.get(handle.db, w1);
    await small.cache.get(handle.db, w2);
    expect(small.cache.size).toBe(1);
    await small.cache.get(handle.db, w2);
    await small.cache.get(handle.db, w1);
    expect(small.counts.loads).toBe(3);
    expect(counts.loads).toBe(1);
  });

  it("lets a window go once it has not been asked for in its idle time", async () => {
    const { cache } = countingCache({ idleMs: 30 });
    await cache.get(handle.db, window());
    expect(cache.size).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(cache.size).toBe(0);
  });

  it("keeps nothing from a cancelled load, and refuses a cancelled request before it reads", async () => {
    const { cache, counts } = countingCache();
    const ac = new AbortController();
    ac.abort();
    await expect(cache.get(handle.db, window({ signal: ac.signal }))).rejects.toThrow();
    expect(counts.loads).toBe(0);
    const failing = new TrafficCache({ load: () => Promise.reject(new Error("cancelled mid-way")) });
    await expect(failing.get(handle.db, window())).rejects.toThrow("cancelled mid-way");
    expect(failing.size).toBe(0);
  });

  it("keeps no Traffic built without a stamp (not read from the database)", async () => {
    const t = manifestTraffic(REFERENCE_MANIFEST, { seed: 1, requests: 100 });
    const cache = new TrafficCache({ load: async () => t });
    await cache.get(handle.db, window());
    expect(cache.size).toBe(0);
  });
});

describe("a reused window", () => {
  // The cache hands the same object to every later request: the findings and the replay must
  // only read it, or a second analysis would see what the first one left behind.
  it("gives the findings and the replay the same answers the second time as a freshly built one does", async () => {
    const prices = worldPrices();
    const live = { routing: RoutingPolicy.parse({}), cache: CachePolicy.parse({}) };
    const candidate = {
      routing: RoutingPolicy.parse({ default: { promptCaching: { enabled: true, ttl: "5m" } } }),
      cache: CachePolicy.parse({ default: { ttlSec: 600 } }),
    };
    const analyse = async (t: Traffic) => {
      const findings = analyzeFindings(t, { prices, projectSlug: "demo" });
      const { elapsedMs: _, ...replay } = await runReplay({ traffic: t, live, candidate, prices });
      return JSON.stringify({ findings, replay });
    };
    const shared = manifestTraffic(REFERENCE_MANIFEST, { seed: 7, requests: 1200 });
    const first = await analyse(shared);
    const second = await analyse(shared);
    const fresh = await analyse(manifestTraffic(REFERENCE_MANIFEST, { seed: 7, requests: 1200 }));
    expect(JSON.parse(first).findings.findings.length).toBeGreaterThan(5);
    expect(second).toBe(first);
    expect(fresh).toBe(first);
  });
});
