import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { ingestBatch } from "../ingestion/ingest-batch";
import { llmEvent } from "../events/testing/llm-event";
import { projectWithKey } from "../auth/testing/project-with-key";
import { compareSides, getSideStats, type SideStats } from "./change-deltas";

const side = (over: Partial<SideStats>): SideStats => ({ requests: 100, latencyP95Ms: 1000, ttftP95Ms: 300, costNanoUsd: 100_000_000n, responseCacheHits: 10, responseCacheMisses: 40, cacheReadTokens: 0, promptTokens: 1000, errors: 2, ...over });

const hourEachSide = (at: Date) => ({ at, from: new Date(at.getTime() - 3_600_000), to: new Date(at.getTime() + 3_600_000) });

describe("compareSides", () => {
  it("rates response-cache hits over lookups (hits + misses), as the summary does, not over all requests", () => {
    // 126 hits of 192 lookups in 300 requests (108 bypassed): the summary's 65.6%, not 42%.
    const d = compareSides(side({ requests: 300, responseCacheHits: 126, responseCacheMisses: 66 }), side({ responseCacheHits: 0, responseCacheMisses: 0 }));
    const rc = d.find((x) => x.metric === "responseCacheHitRate")!;
    expect(rc.before).toBeCloseTo(126 / 192, 9);
    expect(rc.after).toBeNull(); // no lookups: no rate, not 0%
  });

  it("gives each metric's before, after and relative change with the request counts", () => {
    const d = compareSides(side({}), side({ latencyP95Ms: 500, requests: 50, costNanoUsd: 100_000_000n, errors: 0 }));
    const latency = d.find((x) => x.metric === "latencyP95Ms")!;
    expect(latency).toMatchObject({ before: 1000, after: 500, change: -500, relative: -0.5, beforeRequests: 100, afterRequests: 50, tooFew: false });
    const cost = d.find((x) => x.metric === "costPerRequestUsd")!;
    expect(cost.before).toBeCloseTo(0.001, 9);
    expect(cost.after).toBeCloseTo(0.002, 9);
    expect(d.find((x) => x.metric === "errorRate")).toMatchObject({ before: 0.02, after: 0 });
  });

  it('says "too few requests" (no delta) when either side has fewer than 30', () => {
    const d = compareSides(side({ requests: 29 }), side({}));
    for (const x of d) expect(x).toMatchObject({ tooFew: true, change: null, relative: null, beforeRequests: 29 });
    expect(compareSides(side({ requests: 30 }), side({ requests: 30 }))[0]!.tooFew).toBe(false);
  });
});

describe("getSideStats", () => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await createTestDb();
  });
  afterAll(async () => handle?.close());

  it("splits the calls at the change over equal windows", async () => {
    const { project } = await projectWithKey(handle.db);
    const at = new Date(Date.now() - 3_600_000);
    const events = [
      ...Array.from({ length: 31 }, (_, i) => llmEvent({ timestamp: new Date(at.getTime() - (i + 1) * 60_000).toISOString(), latencyMs: 2000 })),
      ...Array.from({ length: 32 }, (_, i) => llmEvent({ timestamp: new Date(at.getTime() + (i + 1) * 60_000).toISOString(), latencyMs: 500, status: i === 0 ? "error" : "ok" })),
      // Outside both 1-hour windows.
      llmEvent({ timestamp: new Date(at.getTime() - 2 * 3_600_000).toISOString() }),
    ];
    expect((await ingestBatch(handle.db, project.id, events)).accepted).toBe(64);
    const { before, after } = await getSideStats(handle.db, { projectId: project.id, ...hourEachSide(at) });
    expect(before.requests).toBe(31);
    expect(after.requests).toBe(32);
    expect(before.latencyP95Ms).toBe(2000);
    expect(after.latencyP95Ms).toBe(500);
    expect(after.errors).toBe(1);
    const latency = compareSides(before, after).find((x) => x.metric === "latencyP95Ms")!;
    expect(latency.relative).toBeCloseTo(-0.75, 5);
  });

  it("counts misses apart from bypassed calls, so the hit rate's denominator is the lookups", async () => {
    const { project } = await projectWithKey(handle.db);
    const at = new Date(Date.now() - 3_600_000);
    const after = (i: number) => new Date(at.getTime() + (i + 1) * 60_000).toISOString();
    const status = (i: number) => i < 6 ? "hit" : i < 10 ? "miss" : "bypass";
    const events = Array.from({ length: 30 }, (_, i) => llmEvent({ timestamp: after(i), responseCache: status(i) }));
    expect((await ingestBatch(handle.db, project.id, events)).accepted).toBe(30);
    const out = await getSideStats(handle.db, { projectId: project.id, ...hourEachSide(at) });
    expect(out.after).toMatchObject({ requests: 30, responseCacheHits: 6, responseCacheMisses: 4 });
    expect(compareSides(out.after, out.after).find((x) => x.metric === "responseCacheHitRate")!.after).toBeCloseTo(0.6, 9);
  });

  it("counts only the calls inside the windows it is given (cut at a neighbouring change)", async () => {
    const { project } = await projectWithKey(handle.db);
    const at = new Date(Date.now() - 3_600_000);
    const events = Array.from({ length: 10 }, (_, i) => llmEvent({ timestamp: new Date(at.getTime() + (i + 1) * 60_000).toISOString() }));
    expect((await ingestBatch(handle.db, project.id, events)).accepted).toBe(10);
    // The next change went live 4.5 minutes after: calls at +1..+4 min count, +5.. do not.
    const out = await getSideStats(handle.db, { projectId: project.id, at, from: new Date(at.getTime() - 60_000), to: new Date(at.getTime() + 270_000) });
    expect(out.after.requests).toBe(4);
  });

  it("leaves playground calls out unless asked for, as the dashboards do", async () => {
    const { project } = await projectWithKey(handle.db);
    const at = new Date(Date.now() - 3_600_000);
    const after = (i: number) => new Date(at.getTime() + (i + 1) * 60_000).toISOString();
    const events = [
      ...Array.from({ length: 30 }, (_, i) => llmEvent({ timestamp: after(i), latencyMs: 500, route: "support" })),
      ...Array.from({ length: 5 }, (_, i) => llmEvent({ timestamp: after(i), latencyMs: 9000, route: "playground" })),
      llmEvent({ timestamp: after(6), latencyMs: 500 }),
    ];
    expect((await ingestBatch(handle.db, project.id, events)).accepted).toBe(36);
    const out = await getSideStats(handle.db, { projectId: project.id, ...hourEachSide(at) });
    expect(out.after.requests).toBe(31); // calls without a route stay in
    expect(out.after.latencyP95Ms).toBe(500);
    const included = await getSideStats(handle.db, { projectId: project.id, ...hourEachSide(at), playground: "include" });
    expect(included.after.requests).toBe(36);
    expect(included.after.latencyP95Ms).toBeGreaterThan(500);
  });
});
