import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { createTestDb } from "@/db/test-db";
import { ingestBatch } from "../ingestion/ingest-batch";
import { llmEvent } from "../events/testing/llm-event";
import { projectWithKey } from "../auth/testing/project-with-key";
import { getSummary } from "./get-summary";
import { asBytes, decodeHist } from "./hist-codec";
import { eventArb, exactSums, exactSumsFrom, ingestAndFlush, type ExactSums } from "./testing/rollup-oracle";
import { scopeRowsSql, type DimFilters } from "./rollup-query";
import { deleteRollupsBefore } from "./rollup-retention";
import { coarsenRollups, readWatermarks } from "./rollup-seal";
import { eventsSource, rollupBuildSql } from "./rollup-sql";
import { flushRollups } from "./rollup-upkeep";
import { HOUR, MINUTE, planSegments, resolveRange } from "./time-range";

let handle: DbHandle;
const NOW = Date.now();

beforeAll(async () => {
  handle = await createTestDb();
  // Start the seal marks two days back, so the first dataset is rolled up from minute rows by sealing.
  await flushRollups(handle.db, { nowMs: NOW - 48 * HOUR });
});
afterAll(async () => {
  await handle?.close();
});

/** Totals read back from the rollups through the query planner, exact. */
async function rollupSums(projectId: string, range: { fromMs: number; toMs: number }, filters: DimFilters = {}, kind = "llm"): Promise<ExactSums> {
  const marks = await readWatermarks(handle.db);
  const rows = scopeRowsSql({ projectId, kind, filters, segments: planSegments(range, marks) });
  const r = rowsOf<Record<string, string | null>>(
    await handle.db.execute(sql`
      with r as (${rows})
      select coalesce(sum(requests), 0)::text as requests, coalesce(sum(errors), 0)::text as errors,
        coalesce(sum(input_tokens), 0)::text as input_tokens, coalesce(sum(output_tokens), 0)::text as output_tokens,
        coalesce(sum(cache_read_tokens), 0)::text as cache_read_tokens,
        coalesce(sum(cache_write_5m_tokens), 0)::text as cache_write_5m_tokens,
        coalesce(sum(cache_write_1h_tokens), 0)::text as cache_write_1h_tokens,
        coalesce(sum(cost_nano_usd), 0)::text as cost_nano_usd,
        coalesce(sum(latency_count), 0)::text as latency_count, coalesce(sum(latency_sum_ms), 0)::text as latency_sum_ms,
        coalesce(sum(ttft_count), 0)::text as ttft_count, coalesce(sum(ttft_sum_ms), 0)::text as ttft_sum_ms,
        coalesce(sum(rc_hits), 0)::text as rc_hits, coalesce(sum(rc_misses), 0)::text as rc_misses, coalesce(sum(rc_bypass), 0)::text as rc_bypass
      from r
    `),
  )[0]!;
  return exactSumsFrom(r);
}

/** Ranges that cut through minutes, hours and days in different ways. */
function ranges(nowMs: number): { fromMs: number; toMs: number }[] {
  return [
    resolveRange({ range: "1h" }, nowMs),
    resolveRange({ range: "24h" }, nowMs),
    resolveRange({ range: "7d" }, nowMs),
    resolveRange({ from: new Date(nowMs - 30 * HOUR - 17 * MINUTE).toISOString(), to: new Date(nowMs - 3 * HOUR - 41 * MINUTE).toISOString() }, nowMs),
  ];
}

async function expectRollupsMatchEvents(projectId: string, nowMs = Date.now()) {
  for (const range of ranges(nowMs)) {
    for (const filters of [{}, { model: "claude-sonnet-4-5" }, { route: "chat" }, { agent: "planner" }, { status: "error" }, { model: "claude-opus-4-6", route: "search" }] as DimFilters[]) {
      expect(await rollupSums(projectId, range, filters), JSON.stringify({ range, filters })).toEqual(await exactSums(handle.db, projectId, range, filters));
    }
    expect(await rollupSums(projectId, range, {}, "tool")).toEqual(await exactSums(handle.db, projectId, range, {}, "tool"));
  }
}

describe("rollups", () => {
  it("sums equal the events' sums exactly when hours and days are sealed from minute rows", async () => {
    const { project } = await projectWithKey(handle.db);
    const events = fc.sample(eventArb(NOW, 46), { numRuns: 600, seed: 42 });
    // Flushed while the marks still sit two days back: everything lands in minute rows only...
    await ingestAndFlush(handle.db, project.id, events, { nowMs: NOW - 48 * HOUR + MINUTE });
    const hourRows = rowsOf<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from metric_rollups where project_id = ${project.id}::uuid and grain_s = 3600`));
    expect(hourRows[0]!.n).toBe(0);
    // ...then the next flush seals every complete hour and day from them.
    await flushRollups(handle.db);
    const marks = await readWatermarks(handle.db);
    expect(marks.hourUntilMs).toBe(Math.floor(Date.now() / HOUR) * HOUR);
    await expectRollupsMatchEvents(project.id);
  });

  it("sums equal the events' sums exactly for random batches, late events included", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb(NOW), { minLength: 1, maxLength: 120 }), async (events) => {
        const { project } = await projectWithKey(handle.db);
        await ingestAndFlush(handle.db, project.id, events);
        await expectRollupsMatchEvents(project.id);
      }),
      { numRuns: 12 },
    );
  });

  it("never counts a re-sent or repeated event twice", async () => {
    const { project } = await projectWithKey(handle.db);
    const events = fc.sample(eventArb(NOW, 3), { numRuns: 50, seed: 7 });
    const first = await ingestAndFlush(handle.db, project.id, [...events, ...events.slice(0, 10)]);
    expect(first).toEqual({ accepted: 50, duplicates: 10 });
    const again = await ingestAndFlush(handle.db, project.id, events);
    expect(again).toEqual({ accepted: 0, duplicates: 50 });
    const summary = await getSummary(handle.db, project.id, { kind: "llm", range: "24h" });
    const exact = await exactSums(handle.db, project.id, resolveRange({ range: "24h" }));
    expect(summary.requests).toBe(exact.requests);
    expect(summary.costNanoUsd).toBe(exact.costNanoUsd);
    expect(events.filter((e) => e.kind === "llm")).toHaveLength(summary.requests);
  });

  it("queues only the new events of a batch that repeats some stored ones, in one queue row per batch", async () => {
    const { project } = await projectWithKey(handle.db);
    const events = fc.sample(eventArb(NOW, 3), { numRuns: 60, seed: 11 });
    // All new: the queue row goes in with the insert. Partly stored: only the 30 new ones are queued.
    expect(await ingestBatch(handle.db, project.id, events.slice(0, 30))).toMatchObject({ accepted: 30, duplicates: 0 });
    expect(await ingestBatch(handle.db, project.id, events.slice(15))).toMatchObject({ accepted: 30, duplicates: 15 });
    const queued = rowsOf<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from rollup_queue where project_id = ${project.id}::uuid`));
    expect(queued[0]!.n).toBe(2);
    await flushRollups(handle.db);
    await expectRollupsMatchEvents(project.id);
    const summary = await getSummary(handle.db, project.id, { kind: "llm", range: "24h" });
    expect(summary.requests).toBe(events.filter((e) => e.kind === "llm").length);
  });

  it("keeps events queued until a flush and shows them right after it", async () => {
    const { project } = await projectWithKey(handle.db);
    await ingestBatch(handle.db, project.id, [llmEvent({ costUsd: 0.25 })]);
    const before = await getSummary(handle.db, project.id, { kind: "llm", range: "1h" });
    expect(before.requests).toBe(0);
    const queued = rowsOf<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from rollup_queue where project_id = ${project.id}::uuid`));
    expect(queued[0]!.n).toBe(1);
    await flushRollups(handle.db);
    const after = await getSummary(handle.db, project.id, { kind: "llm", range: "1h" });
    expect(after).toMatchObject({ requests: 1, costNanoUsd: "250000000", costUsdExact: "0.25", costUsd: 0.25 });
  });

  it("folds a large backlog in bounded transactions, with the same exact sums", async () => {
    const { project } = await projectWithKey(handle.db);
    const events = fc.sample(eventArb(NOW, 40), { numRuns: 400, seed: 9 });
    for (let i = 0; i < events.length; i += 40) await ingestBatch(handle.db, project.id, events.slice(i, i + 40));
    const flushed = await flushRollups(handle.db, { rowBudget: 50, slice: 2 });
    expect(flushed.batches).toBe(10);
    expect(flushed.transactions).toBeGreaterThan(1);
    await expectRollupsMatchEvents(project.id);
  });

  it("rebuilds the same rollups from the events table with one set-based statement", async () => {
    const { project } = await projectWithKey(handle.db);
    await ingestAndFlush(handle.db, project.id, fc.sample(eventArb(NOW, 30), { numRuns: 300, seed: 3 }));
    const marks = await readWatermarks(handle.db);
    // Bucket keys come from JS or SQL logarithms, which may differ right at a bucket edge (still
    // within the accuracy); every count and sum must match exactly.
    const histTotal = (v: unknown) => [...decodeHist(asBytes(v)).values()].reduce((a, b) => a + b, 0);
    const snapshot = async () =>
      rowsOf<Record<string, unknown>>(
        await handle.db.execute(sql`
          select grain_s, bucket::text, set_id, kind, model, route, agent, status, requests::text, errors::text,
            input_tokens::text, output_tokens::text, cache_read_tokens::text, cache_write_5m_tokens::text,
            cache_write_1h_tokens::text, cost_nano_usd::text, latency_count::text, (latency_sum_ms + 0)::numeric(30,3)::text as ls,
            ttft_count::text, (ttft_sum_ms + 0)::numeric(30,3)::text as ts, rc_hits::text, rc_misses::text, rc_bypass::text,
            rc_hit_cost_nano::text, rc_miss_cost_nano::text, (rc_hit_latency_ms + 0)::numeric(30,3)::text as hl,
            (rc_miss_latency_ms + 0)::numeric(30,3)::text as ml, latency_buckets as lh, ttft_buckets as th, tps_buckets as sh
          from metric_rollups
          where project_id = ${project.id}::uuid
            and (grain_s = 60 or (grain_s = 3600 and bucket < ${new Date(marks.hourUntilMs).toISOString()}::timestamptz)
              or (grain_s = 86400 and bucket < ${new Date(marks.dayUntilMs).toISOString()}::timestamptz))
          order by 1, 2, 3, 4, 5, 6, 7, 8
        `),
      ).map((r) => ({ ...r, lh: histTotal(r.lh), th: histTotal(r.th), sh: histTotal(r.sh) }));
    const flushed = await snapshot();
    await handle.db.execute(sql`delete from metric_rollups where project_id = ${project.id}::uuid`);
    await handle.db.execute(rollupBuildSql(project.id, eventsSource(project.id)));
    const rebuilt = await snapshot();
    expect(rebuilt.length).toBeGreaterThan(0);
    expect(rebuilt).toEqual(flushed);
  });

  it("seals idempotently: re-sealing an hour gives the same row", async () => {
    const { project } = await projectWithKey(handle.db);
    const hourStart = Math.floor(NOW / HOUR) * HOUR - 5 * HOUR;
    await ingestAndFlush(handle.db, project.id, [llmEvent({ timestamp: new Date(hourStart + 10 * MINUTE).toISOString(), costUsd: 1 })]);
    const read = async () =>
      rowsOf<{ requests: string; cost: string }>(
        await handle.db.execute(sql`select requests::text, cost_nano_usd::text as cost from metric_rollups
          where project_id = ${project.id}::uuid and grain_s = 3600 and set_id = 15`),
      );
    const before = await read();
    await coarsenRollups(handle.db, 60, 3600, new Date(hourStart), new Date(hourStart + HOUR), project.id);
    await coarsenRollups(handle.db, 60, 3600, new Date(hourStart), new Date(hourStart + HOUR), project.id);
    expect(await read()).toEqual(before);
    expect(before).toEqual([{ requests: "1", cost: "1000000000" }]);
  });

  it("retention drops buckets that ended before the cutoff and keeps the rest", async () => {
    const { project } = await projectWithKey(handle.db);
    await ingestAndFlush(handle.db, project.id, [
      llmEvent({ timestamp: new Date(NOW - 40 * HOUR).toISOString() }),
      llmEvent({ timestamp: new Date(NOW - 2 * HOUR).toISOString() }),
    ]);
    const count = async (grain: number) =>
      rowsOf<{ n: number }>(
        await handle.db.execute(sql`select count(*)::int as n from metric_rollups where project_id = ${project.id}::uuid and grain_s = ${grain} and set_id = 15`),
      )[0]!.n;
    expect(await count(60)).toBe(2);
    const cutoff = new Date(NOW - 24 * HOUR);
    const removed = await deleteRollupsBefore(handle.db, cutoff);
    expect(removed).toBeGreaterThan(0);
    expect(await count(60)).toBe(1);
    const left = rowsOf<{ ok: boolean }>(
      await handle.db.execute(sql`select bool_and(bucket + make_interval(secs => grain_s) > ${cutoff.toISOString()}::timestamptz) as ok
        from metric_rollups where project_id = ${project.id}::uuid`),
    );
    expect(left[0]!.ok).toBe(true);
  });
});
