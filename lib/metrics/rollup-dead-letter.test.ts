import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { createTestDb } from "@/db/test-db";
import { checkHealth } from "../health";
import { ingestBatch } from "../ingestion/ingest-batch";
import { llmEvent } from "../events/testing/llm-event";
import { projectWithKey } from "../auth/testing/project-with-key";
import { ingestAndFlush } from "./testing/rollup-oracle";
import { maxAttemptsFromEnv } from "./rollup-dead-letter";
import { readWatermarks, setWatermark } from "./rollup-seal";
import { flushRollups } from "./rollup-upkeep";
import { startMetrics } from "./start-metrics";
import { HOUR, MINUTE } from "./time-range";

/**
 * One key must not freeze every project's dashboards: sums past 2^53 us stay exact, and a queue
 * row or a bucket that cannot fold or seal is set aside after N tries while the rest flows.
 */
let handle: DbHandle;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => {
  await handle?.close();
});

type Row = { requests: string; latency_sum_ms: string; ttft_sum_ms: string; rc_miss_latency_ms: string };
async function projectRow(projectId: string, grainS = 60, bucketMs?: number): Promise<Row | undefined> {
  const at = bucketMs === undefined ? sql`` : sql` and bucket = ${new Date(bucketMs).toISOString()}::timestamptz`;
  const rows = rowsOf<Row>(
    await handle.db.execute(sql`
      select sum(requests)::text as requests, sum(latency_sum_ms)::text as latency_sum_ms, sum(ttft_sum_ms)::text as ttft_sum_ms,
        sum(rc_miss_latency_ms)::text as rc_miss_latency_ms
      from metric_rollups where project_id = ${projectId}::uuid and set_id = 15 and grain_s = ${grainS}${at}
      having count(*) > 0
    `),
  );
  return rows[0];
}

async function deadLetters() {
  return rowsOf<{ kind: string; project_id: string; error: string; attempts: number; payload: string | null; grain_s: number | null }>(
    await handle.db.execute(sql`select kind, project_id, error, attempts, payload, grain_s from rollup_dead_letters order by id`),
  );
}

describe("latency sums past 2^53 microseconds", () => {
  it("fold exactly into a row that already holds ~2^53 us, instead of failing the fold forever", async () => {
    const { project } = await projectWithKey(handle.db);
    const minute = Math.floor(Date.now() / MINUTE) * MINUTE - 5 * MINUTE;
    const at = (s: number) => new Date(minute + s * 1000).toISOString();
    const day = { latencyMs: DAY_MS, ttftMs: DAY_MS, responseCache: "miss" };
    await ingestAndFlush(handle.db, project.id, [llmEvent({ timestamp: at(1), ...day })]);
    // What ~104,000 earlier events of 24 h latency leave in the row: 2^53 us = 9,007,199,254.740992 s.
    await handle.db.execute(sql`
      update metric_rollups set latency_sum_ms = latency_sum_ms + 9007199254740.991, ttft_sum_ms = ttft_sum_ms + 9007199254740.991,
        rc_miss_latency_ms = rc_miss_latency_ms + 9007199254740.991
      where project_id = ${project.id}::uuid and grain_s = 60
    `);
    await ingestAndFlush(handle.db, project.id, [llmEvent({ timestamp: at(2), ...day })]);
    const row = await projectRow(project.id);
    expect(row?.requests).toBe("2");
    // 9007199254740.991 + 2 x 86,400,000 ms, to the microsecond.
    expect(Number(row?.latency_sum_ms)).toBeGreaterThan(2 ** 53 / 1000);
    expect(row?.latency_sum_ms.replace(/0+$/, "")).toBe("9007372054740.991");
    expect(row?.ttft_sum_ms.replace(/0+$/, "")).toBe("9007372054740.991");
    expect(row?.rc_miss_latency_ms.replace(/0+$/, "")).toBe("9007372054740.991");
    expect(await handle.db.execute(sql`select 1 from rollup_queue`).then((r) => rowsOf(r).length)).toBe(0);
  });
});

describe("a queue row that will not fold", () => {
  it("is retried alone, set aside after N tries with its error and payload, while rows behind it fold", async () => {
    const a = (await projectWithKey(handle.db)).project;
    const b = (await projectWithKey(handle.db)).project;
    // A corrupt row at the head of the global queue (65 bytes: not a whole number of events).
    await handle.db.execute(sql`
      insert into rollup_queue (project_id, payload, packed) values (${a.id}::uuid, ${JSON.stringify({ v: 3, s: [], t: 0 })}, decode(${"00".repeat(65)}, 'hex'))
    `);
    await ingestBatch(handle.db, b.id, [llmEvent(), llmEvent()]);
    await ingestBatch(handle.db, a.id, [llmEvent()]);

    const first = await flushRollups(handle.db, { maxAttempts: 3 });
    expect(first.setAside).toBe(0);
    // Everything behind the poison row folded on the first tick.
    expect((await projectRow(b.id))?.requests).toBe("2");
    expect((await projectRow(a.id))?.requests).toBe("1");
    const queued = rowsOf<{ attempts: number; last_error: string }>(await handle.db.execute(sql`select attempts, last_error from rollup_queue`));
    expect(queued).toEqual([{ attempts: 1, last_error: expect.stringMatching(/corrupt rollup queue row: 65 bytes/) }]);

    // More traffic keeps flowing while the row is retried.
    await ingestBatch(handle.db, b.id, [llmEvent()]);
    await flushRollups(handle.db, { maxAttempts: 3 });
    expect((await projectRow(b.id))?.requests).toBe("3");
    const third = await flushRollups(handle.db, { maxAttempts: 3 });
    expect(third.setAside).toBe(1);
    expect(rowsOf(await handle.db.execute(sql`select 1 from rollup_queue`))).toHaveLength(0);
    const dead = (await deadLetters()).filter((d) => d.project_id === a.id);
    expect(dead).toEqual([expect.objectContaining({ kind: "fold", attempts: 3, error: expect.stringMatching(/corrupt rollup queue row/), payload: expect.stringContaining('"v":3') })]);

    // Once set aside, the queue is healthy again: no failure, no retry.
    await ingestBatch(handle.db, b.id, [llmEvent()]);
    const after = await flushRollups(handle.db, { maxAttempts: 3 });
    expect(after).toMatchObject({ batches: 1, setAside: 0 });
    expect((await projectRow(b.id))?.requests).toBe("4");
  });

  it("shows in /api/health: how many are set aside and the latest error", async () => {
    const a = (await projectWithKey(handle.db)).project;
    await handle.db.execute(sql`insert into rollup_queue (project_id, payload) values (${a.id}::uuid, ${"not json"})`);
    const before = (await deadLetters()).length;
    // The server's own flusher, once a second: three failed ticks set the row aside.
    const stop = startMetrics(handle, {});
    try {
      await expect
        .poll(async () => ((await checkHealth(handle)).body.rollups as { deadLetters?: { count: number } } | undefined)?.deadLetters?.count, { timeout: 10_000 })
        .toBe(before + 1);
      const body = (await checkHealth(handle)).body.rollups as { deadLetters: { latest: { kind: string; error: string; projectId: string } } };
      expect(body.deadLetters.latest).toMatchObject({ kind: "fold", projectId: a.id, error: expect.stringMatching(/JSON/) });
    } finally {
      await stop();
    }
  });

  it("reads N from PITWALL_ROLLUP_MAX_ATTEMPTS and refuses a bad value", () => {
    expect(maxAttemptsFromEnv({})).toBe(3);
    expect(maxAttemptsFromEnv({ PITWALL_ROLLUP_MAX_ATTEMPTS: "5" })).toBe(5);
    expect(() => maxAttemptsFromEnv({ PITWALL_ROLLUP_MAX_ATTEMPTS: "0" })).toThrow(/PITWALL_ROLLUP_MAX_ATTEMPTS/);
    expect(() => maxAttemptsFromEnv({ PITWALL_ROLLUP_MAX_ATTEMPTS: "x" })).toThrow(/PITWALL_ROLLUP_MAX_ATTEMPTS/);
  });
});

describe("a bucket that will not seal", () => {
  it("is sealed per project; the bad project's bucket is set aside after N tries and the marks move on", async () => {
    const a = (await projectWithKey(handle.db)).project;
    const b = (await projectWithKey(handle.db)).project;
    await readWatermarks(handle.db);
    const h0 = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
    await setWatermark(handle.db, 3600, h0);
    const at = new Date(h0 + 10 * MINUTE).toISOString();
    // Fold as if it were still that hour, so nothing seals yet.
    await ingestAndFlush(handle.db, a.id, [llmEvent({ timestamp: at })], { nowMs: h0 + 30 * MINUTE });
    await ingestAndFlush(handle.db, b.id, [llmEvent({ timestamp: at }), llmEvent({ timestamp: at })], { nowMs: h0 + 30 * MINUTE });
    // Project a's minute histograms are corrupt (3 bytes): its hour cannot be built from them.
    await handle.db.execute(sql`update metric_rollups set latency_buckets = '\\x010203'::bytea where project_id = ${a.id}::uuid and grain_s = 60`);

    await flushRollups(handle.db, { maxAttempts: 3 });
    // b's hour is built; the mark waits for a's retries, so queries read that hour's minutes.
    expect((await projectRow(b.id, 3600, h0))?.requests).toBe("2");
    expect((await readWatermarks(handle.db)).hourUntilMs).toBe(h0);
    // Folding goes on meanwhile.
    await ingestBatch(handle.db, b.id, [llmEvent()]);
    await flushRollups(handle.db, { maxAttempts: 3 });
    expect((await projectRow(b.id))?.requests).toBe("3");
    await flushRollups(handle.db, { maxAttempts: 3 });

    const dead = (await deadLetters()).filter((d) => d.project_id === a.id);
    expect(dead).toEqual([expect.objectContaining({ kind: "seal", grain_s: 3600, attempts: 3, error: expect.stringMatching(/corrupt histogram: 3 bytes/) })]);
    expect((await readWatermarks(handle.db)).hourUntilMs).toBe(Math.floor(Date.now() / HOUR) * HOUR);
    expect(await projectRow(a.id, 3600, h0)).toBeUndefined();
    expect((await projectRow(b.id, 3600, h0))?.requests).toBe("2");
  });
});
