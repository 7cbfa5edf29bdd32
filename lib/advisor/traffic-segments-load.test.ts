import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { createTestDb } from "@/db/test-db";
import { projectWithKey } from "../auth/testing/project-with-key";
import { llmEvent } from "../events/testing/llm-event";
import { ingestBatch } from "../ingestion/ingest-batch";
import { decodedRows } from "./testing/decoded-rows";
import { deleteSegmentsBefore, HOUR_MS, hoursStored, segmentsOverlapping, segmentsToRead, writeSegment, type SegmentInfo } from "./traffic-segments";
import { loadTrafficWithSegments, type SegmentLoadStats } from "./traffic-segments-load";
import { loadTraffic, windowStamp } from "./traffic-load";

let handle: DbHandle;
let projectId: string;
let otherId: string;
/** Five whole hours, ending more than an hour ago: settled. */
const H0 = Math.floor((Date.now() - 7 * HOUR_MS) / HOUR_MS) * HOUR_MS;
const at = (min: number) => new Date(H0 + min * 60_000).toISOString();
/** From 20 minutes into the first hour to 10 minutes into the fifth: hours 1, 2 and 3 whole. */
const window = () => ({ projectId, from: new Date(H0 + 20 * 60_000), to: new Date(H0 + 4 * HOUR_MS + 10 * 60_000) });

function events(prefix: string, minutes: number[]) {
  return minutes.flatMap((m, k) => [
    llmEvent({ id: `${prefix}-${k}`, timestamp: at(m), route: k % 3 ? "faq" : "search", agent: `agent-${k % 4}`, traceId: `tr-${prefix}-${k % 7}`, promptHash: `ph-${k % 5}`,
      sessionId: k % 2 ? `s-${k % 3}` : undefined, tags: k % 4 ? {} : { team: `t${k % 8}` }, streamed: k % 2 === 0, ttftMs: k % 2 === 0 ? 100 + k : undefined,
      cacheReadTokens: k * 3, responseCache: k % 5 === 0 ? "hit" : "miss", requestedModel: "claude-sonnet-4-5", model: k % 6 ? "claude-sonnet-4-5" : "mystery-model" }),
    ...(k % 3 === 0 ? [{ id: `${prefix}-tool-${k}`, timestamp: at(m + 0.1), kind: "tool", traceId: `tr-${prefix}-${k % 7}`, agent: "bot", latencyMs: 50 + k, metadata: { name: `tool-${k % 2}` } }] : []),
  ]);
}

beforeAll(async () => {
  handle = await createTestDb();
  projectId = (await projectWithKey(handle.db)).project.id;
  otherId = (await projectWithKey(handle.db)).project.id;
  // Out of time order, some in every hour and at the window's edges; playground calls left out as loadTraffic leaves them.
  const minutes = [250, 5, 19, 20, 21, 59.99, 60, 61, 119, 125, 180, 181, 199, 239.5, 240, 249, 251, 300, 310, 90, 70, 65, 130, 140, 150];
  const r = await ingestBatch(handle.db, projectId, [...events("a", minutes), llmEvent({ id: "pg", timestamp: at(100), route: "playground" })]);
  expect(r.rejected).toEqual([]);
  await ingestBatch(handle.db, otherId, events("o", [70, 130]));
});
afterAll(async () => handle?.close());

async function expectSameAsEvents(stats?: SegmentLoadStats) {
  const fromBlocks = await loadTrafficWithSegments(handle.db, { ...window(), stats });
  const fromEvents = await loadTraffic(handle.db, window());
  expect(fromBlocks.llm.length).toBeGreaterThan(10);
  expect(decodedRows(fromBlocks)).toEqual(decodedRows(fromEvents));
  expect(fromBlocks.tags).toEqual(expect.arrayContaining(fromEvents.tags));
  expect(fromBlocks.stamp).toEqual(fromEvents.stamp);
  expect(fromBlocks.stamp).toEqual(await windowStamp(handle.db, window()));
  return fromBlocks;
}

const count = async () => rowsOf<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from advisor_traffic_segments where project_id = ${projectId}::uuid`))[0]!.n;

describe("the advisor's stored segments", () => {
  it("loads from the events alone while nothing is stored", async () => {
    const stats = { storedHours: -1 };
    await expectSameAsEvents(stats);
    expect(stats.storedHours).toBe(-1);
  });

  it("stores the settled whole hours of a loaded window once, and reads them back as the events read", async () => {
    const loaded = await loadTraffic(handle.db, window());
    // Hour 3 is left unsettled: hours 1 and 2 are stored.
    expect(await writeSegment(handle.db, loaded, H0 + 4 * HOUR_MS - 1)).toBe(true);
    const stats = { storedHours: 0 };
    await expectSameAsEvents(stats);
    expect(stats.storedHours).toBe(2);
    // Hours 1 to 3 replace it; the same again is not written.
    expect(await writeSegment(handle.db, loaded, Date.now())).toBe(true);
    expect(await writeSegment(handle.db, loaded, Date.now())).toBe(false);
    expect(await count()).toBe(1);
    const [seg] = await segmentsOverlapping(handle.db, projectId, H0, H0 + 5 * HOUR_MS);
    expect([seg!.startMs, seg!.endMs]).toEqual([H0 + HOUR_MS, H0 + 4 * HOUR_MS]);
    expect(await segmentsOverlapping(handle.db, otherId, H0, H0 + 5 * HOUR_MS)).toEqual([]);
    const again = { storedHours: 0 };
    await expectSameAsEvents(again);
    expect(again.storedHours).toBe(3);
    // A window that covers hour 2 only.
    const two = { projectId, from: new Date(H0 + 2 * HOUR_MS), to: new Date(H0 + 3 * HOUR_MS) };
    const part = { storedHours: 0 };
    expect(decodedRows(await loadTrafficWithSegments(handle.db, { ...two, stats: part }))).toEqual(decodedRows(await loadTraffic(handle.db, two)));
    expect(part.storedHours).toBe(1);
  });

  it("reads an hour from the events again once it changed (a late event, a repricing), and stores it anew", async () => {
    await ingestBatch(handle.db, projectId, events("late", [62]));
    await handle.db.execute(sql`update events set cost_nano_usd = cost_nano_usd + 1 where project_id = ${projectId}::uuid and id = 'a-10'`);
    const stats = { storedHours: 0 };
    const t = await expectSameAsEvents(stats);
    expect(stats.storedHours).toBe(1);
    expect(await writeSegment(handle.db, t, Date.now())).toBe(true);
    const again = { storedHours: 0 };
    await expectSameAsEvents(again);
    expect(again.storedHours).toBe(3);
  });

  it("does not use a stored hour whose events are gone, and retention removes the segment", async () => {
    await handle.db.execute(sql`delete from events where project_id = ${projectId}::uuid and ts >= ${new Date(H0 + 2 * HOUR_MS).toISOString()}::timestamptz and ts < ${new Date(H0 + 3 * HOUR_MS).toISOString()}::timestamptz`);
    const stats = { storedHours: 0 };
    await expectSameAsEvents(stats);
    expect(stats.storedHours).toBe(2);
    expect(await deleteSegmentsBefore(handle.db, new Date(H0 + 3 * HOUR_MS))).toBe(0);
    expect(await deleteSegmentsBefore(handle.db, new Date(H0 + 4 * HOUR_MS))).toBe(1);
    expect(await count()).toBe(0);
  });

  it("falls back to the events when a stored segment cannot be read", async () => {
    await writeSegment(handle.db, await loadTraffic(handle.db, window()), Date.now());
    await handle.db.execute(sql`update advisor_traffic_segments set data = '\\x0102'::bytea where project_id = ${projectId}::uuid`);
    const stats = { storedHours: 0 };
    await expectSameAsEvents(stats);
    expect(stats.storedHours).toBe(0);
  });

  it("reads several segments side by side, and of overlapping ones only those that do not overlap", async () => {
    await handle.db.execute(sql`delete from advisor_traffic_segments where project_id = ${projectId}::uuid`);
    const hoursOf = (a: number, b: number) => loadTraffic(handle.db, { projectId, from: new Date(H0 + a * HOUR_MS), to: new Date(H0 + b * HOUR_MS) });
    // Hour 1 alone, then hours 2 and 3: two segments, the window read from both.
    expect(await writeSegment(handle.db, await hoursOf(1, 2), Date.now())).toBe(true);
    expect(await writeSegment(handle.db, await hoursOf(2, 4), Date.now())).toBe(true);
    // Hours 1 to 3 are all stored as they read now: nothing to write.
    expect(await writeSegment(handle.db, await loadTraffic(handle.db, window()), Date.now())).toBe(false);
    expect(await count()).toBe(2);
    // Hour 2's events were deleted above: hours 1 and 3 have rows.
    const both = { storedHours: 0 };
    await expectSameAsEvents(both);
    expect(both.storedHours).toBe(2);
    // Hour 1 repriced: a segment over hours 1 and 2 replaces hour 1's (inside it) and leaves
    // hours 2-3's (it only overlaps it).
    await handle.db.execute(sql`update events set cost_nano_usd = cost_nano_usd + 1 where project_id = ${projectId}::uuid and id = 'a-6'`);
    expect(await writeSegment(handle.db, await hoursOf(1, 3), Date.now())).toBe(true);
    expect((await segmentsOverlapping(handle.db, projectId, H0, H0 + 5 * HOUR_MS)).map((x) => [x.startMs - H0, x.endMs - H0]).sort((x, y) => x[0]! - y[0]!)).toEqual([
      [HOUR_MS, 3 * HOUR_MS],
      [2 * HOUR_MS, 4 * HOUR_MS],
    ]);
    // The two overlap: the earlier is read (hour 1), and hour 3 comes from the events.
    const overlapping = { storedHours: 0 };
    await expectSameAsEvents(overlapping);
    expect(overlapping.storedHours).toBe(1);
  });
});

describe("which stored segments are read, and when hours count as stored", () => {
  const seg = (startH: number, endH: number, stamped: Record<number, number> = {}): SegmentInfo => ({
    startMs: startH * HOUR_MS,
    endMs: endH * HOUR_MS,
    hours: new Map(Object.entries(stamped).map(([h, rows]) => [Number(h) * HOUR_MS, { rows, lastReceivedUs: 1, llmCostNano: 0, llmUnpriced: 0 }])),
  });
  const span = (s: SegmentInfo[]) => s.map((x) => [x.startMs / HOUR_MS, x.endMs / HOUR_MS]);

  it("takes the segments that cover most of the window without overlapping, the shorter of two that cover as much, in time order, and none mostly outside it", () => {
    expect(span(segmentsToRead([seg(24, 48), seg(0, 24), seg(10, 34), seg(48, 60)], 0, 60 * HOUR_MS))).toEqual([[0, 24], [24, 48], [48, 60]]);
    // A week's segment beats the days inside it for a week's window; for a day's window, the day.
    expect(span(segmentsToRead([seg(0, 168), seg(24, 48)], 0, 168 * HOUR_MS))).toEqual([[0, 168]]);
    expect(span(segmentsToRead([seg(0, 168), seg(24, 48)], 24 * HOUR_MS, 48 * HOUR_MS))).toEqual([[24, 48]]);
    expect(segmentsToRead([seg(0, 24)], 24 * HOUR_MS, 48 * HOUR_MS)).toEqual([]);
    // A day is decoded whole: for 6 of its hours yes, for 2 no.
    expect(span(segmentsToRead([seg(0, 24)], 0, 6 * HOUR_MS))).toEqual([[0, 24]]);
    expect(segmentsToRead([seg(0, 24)], 10 * HOUR_MS, 12 * HOUR_MS)).toEqual([]);
  });

  it("counts an hour as stored when some segment covering it reads the same", () => {
    const now = new Map([[1 * HOUR_MS, { rows: 3, lastReceivedUs: 1, llmCostNano: 0, llmUnpriced: 0 }]]);
    const hours = [0, 1, 2].map((h) => h * HOUR_MS);
    expect(hoursStored(hours, now, [seg(0, 3, { 1: 3 })])).toBe(true);
    expect(hoursStored(hours, now, [seg(0, 3, { 1: 2 })])).toBe(false);
    // Hour 1 is not covered at all.
    expect(hoursStored(hours, now, [seg(2, 3)])).toBe(false);
    // A stale overlapping segment does not matter while another reads the same.
    expect(hoursStored(hours, now, [seg(0, 3, { 1: 2 }), seg(1, 2, { 1: 3 })])).toBe(true);
    // An hour whose rows are gone but which a segment still stamps is not stored as it reads.
    expect(hoursStored(hours, new Map(), [seg(0, 3, { 1: 3 })])).toBe(false);
    expect(hoursStored(hours, new Map(), [])).toBe(true);
  });
});
