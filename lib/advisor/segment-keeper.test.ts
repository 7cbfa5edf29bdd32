import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { projectWithKey } from "../auth/testing/project-with-key";
import { llmEvent } from "../events/testing/llm-event";
import { ingestBatch } from "../ingestion/ingest-batch";
import { decodedRows } from "./testing/decoded-rows";
import { DAY_MS, keepSegments, keepSegmentsOnce } from "./segment-keeper";
import { keeperSettingsFromEnv } from "./segment-keeper-settings";
import { startSegmentKeeper } from "./segment-keeper-start";
import { loadTraffic } from "./traffic-load";
import { HOUR_MS, segmentsOverlapping, writeSegment } from "./traffic-segments";
import { loadTrafficWithSegments } from "./traffic-segments-load";

let handle: DbHandle & { url?: string };
let projectId: string;
let quietId: string;
/** Midnight (UTC) three days ago: day 0 is whole, day 1 the keeper's "today" in most passes. */
const D0 = Math.floor(Date.now() / DAY_MS) * DAY_MS - 3 * DAY_MS;
const at = (h: number) => new Date(D0 + h * HOUR_MS).toISOString();
/** Hours into D0 with calls: day 0's and day 1's morning, and day 1's afternoon. */
const HOURS = [1.5, 3.2, 3.7, 10, 23.99, 24.1, 25.5, 30, 35.25, 38, 40.5];

function calls(prefix: string, hours: number[]) {
  return hours.flatMap((h, k) => [
    llmEvent({ id: `${prefix}-${k}`, timestamp: at(h), route: k % 2 ? "faq" : "search", traceId: `tr-${prefix}-${k % 3}`, promptHash: `ph-${k % 4}`, sessionId: `s-${k % 2}` }),
    ...(k % 2 ? [{ id: `${prefix}-tool-${k}`, timestamp: at(h + 0.01), kind: "tool", traceId: `tr-${prefix}-${k % 3}`, latencyMs: 20, metadata: { name: "lookup" } }] : []),
  ]);
}

const spans = async (id = projectId) => (await segmentsOverlapping(handle.db, id, D0 - 8 * DAY_MS, D0 + 8 * DAY_MS)).map((s) => [(s.startMs - D0) / HOUR_MS, (s.endMs - D0) / HOUR_MS]).sort((a, b) => a[0]! - b[0]!);
/** The keeper as it would run at D0 + `h` hours, keeping 8 days. */
const passAt = (h: number) => keepSegments(handle.db, { days: 8, nowMs: D0 + h * HOUR_MS, projectIds: [projectId, quietId] });
const window = { from: new Date(D0), to: new Date(D0 + 2 * DAY_MS) };

beforeAll(async () => {
  handle = await createTestDb();
  projectId = (await projectWithKey(handle.db)).project.id;
  quietId = (await projectWithKey(handle.db)).project.id;
  expect((await ingestBatch(handle.db, projectId, calls("a", HOURS))).rejected).toEqual([]);
});
afterAll(async () => handle?.close());

async function expectStoredAsEvents(storedHours: number) {
  const stats = { storedHours: 0 };
  const read = await loadTrafficWithSegments(handle.db, { projectId, ...window, stats });
  const events = await loadTraffic(handle.db, { projectId, ...window });
  expect(read.llm.length).toBeGreaterThan(5);
  expect(decodedRows(read)).toEqual(decodedRows(events));
  expect(read.stamp).toEqual(events.stamp);
  expect(stats.storedHours).toBe(storedHours);
}

describe("the advisor's segment keeper", () => {
  it("stores each day's settled hours as one segment, the day still under way up to its last settled hour", async () => {
    // At 36:20 the settled hours end at 36:00; day 1's calls after that are not stored yet.
    const first = await passAt(36 + 20 / 60);
    expect(first).toMatchObject({ projects: 1, daysWritten: 2, daysCleared: 0 });
    expect(await spans()).toEqual([[0, 24], [24, 36]]);
    expect(await spans(quietId)).toEqual([]);
    // Hours with calls: 1, 3, 10, 23 on day 0; 24, 25, 30, 35 on day 1 (38 and 40 from the events).
    await expectStoredAsEvents(8);
    // Nothing new: nothing written.
    expect(await passAt(36 + 30 / 60)).toMatchObject({ daysWritten: 0 });
  });

  it("grows the day under way, and rewrites only a day an event came late to", async () => {
    // Day 1 done: its segment is replaced by the whole day's.
    expect(await passAt(48 + 20 / 60)).toMatchObject({ daysWritten: 1 });
    expect(await spans()).toEqual([[0, 24], [24, 48]]);
    await expectStoredAsEvents(10);
    const before = (await segmentsOverlapping(handle.db, projectId, D0, D0 + DAY_MS))[0]!;
    await ingestBatch(handle.db, projectId, calls("late", [26.5]));
    expect(await passAt(48 + 30 / 60)).toMatchObject({ daysWritten: 1 });
    const after = await segmentsOverlapping(handle.db, projectId, D0, D0 + 2 * DAY_MS);
    // Day 0's segment is the same one; day 1's holds the late call's hour.
    expect(after.find((s) => s.startMs === D0)?.hours).toEqual(before.hours);
    expect(after.find((s) => s.startMs === D0 + DAY_MS)?.hours.has(D0 + 26 * HOUR_MS)).toBe(true);
    await expectStoredAsEvents(11);
  });

  it("deletes a segment of another shape (a whole window, as an earlier version stored), and the days stand", async () => {
    const loaded = await loadTraffic(handle.db, { projectId, from: new Date(D0 + 5 * HOUR_MS), to: new Date(D0 + 40 * HOUR_MS) });
    // The days hold every hour of that window as it reads: writing it stores nothing.
    expect(await writeSegment(handle.db, loaded, D0 + 40 * HOUR_MS)).toBe(false);
    // Stored by hand, as the old cache did: it overlaps both days and covers less than either.
    await handle.db.execute(sql`insert into advisor_traffic_segments (project_id, start_at, end_at, format, hours, data)
      values (${projectId}::uuid, ${at(5)}::timestamptz, ${at(40)}::timestamptz, 1, '[]'::jsonb, '\\x00'::bytea)`);
    expect(await spans()).toEqual([[0, 24], [5, 40], [24, 48]]);
    expect(await passAt(48 + 35 / 60)).toMatchObject({ daysWritten: 0 });
    expect(await spans()).toEqual([[0, 24], [24, 48]]);
    await expectStoredAsEvents(11);
  });

  it("clears a day whose events are all gone", async () => {
    await handle.db.execute(sql`delete from events where project_id = ${projectId}::uuid and ts < ${new Date(D0 + DAY_MS).toISOString()}::timestamptz`);
    expect(await passAt(48 + 40 / 60)).toMatchObject({ daysWritten: 0, daysCleared: 1 });
    expect(await spans()).toEqual([[24, 48]]);
    await expectStoredAsEvents(7);
  });

  it.skipIf(!process.env.DATABASE_URL)("on Postgres, leaves a pass to the process whose keeper holds the lock", async () => {
    const other = await handle.sql!.reserve();
    try {
      await other`select pg_advisory_lock(${0x70697477})`;
      expect(await keepSegmentsOnce(handle, { days: 8, projectIds: [projectId] })).toBeNull();
      await other`select pg_advisory_unlock(${0x70697477})`;
      expect(await keepSegmentsOnce(handle, { days: 8, projectIds: [projectId] })).not.toBeNull();
    } finally {
      other.release();
    }
  });

  it(`runs from start-up (${process.env.DATABASE_URL ? "on its worker thread" : "on this thread, PGlite"}) and shows its passes in the health details`, async () => {
    await handle.db.execute(sql`delete from advisor_traffic_segments where project_id = ${projectId}::uuid`);
    const keeper = startSegmentKeeper(handle, { PITWALL_ADVISOR_SEGMENT_DAYS: "8", PITWALL_ADVISOR_SEGMENT_EVERY_S: "600" })!;
    try {
      keeper.passNow();
      for (let tries = 0; keeper.stats().passes === 0 && keeper.stats().failures === 0 && tries < 300; tries++) await new Promise((r) => setTimeout(r, 50));
      expect(keeper.stats()).toMatchObject({ thread: process.env.DATABASE_URL ? "worker" : "main", passes: 1, failures: 0 });
      // Every project with traffic in the last 8 days: this one's day 1 (the rest were deleted above).
      expect(keeper.stats().last!.daysWritten).toBeGreaterThanOrEqual(1);
      expect(await spans()).toEqual([[24, 48]]);
    } finally {
      await keeper.close();
    }
    expect(startSegmentKeeper(handle, { PITWALL_ADVISOR_SEGMENT_DAYS: "0" })).toBeNull();
  });
});

describe("the keeper's settings", () => {
  it("defaults to 8 days every 10 minutes, and names a bad setting", () => {
    expect(keeperSettingsFromEnv({})).toMatchObject({ days: 8, everyMs: 600_000 });
    expect(keeperSettingsFromEnv({ PITWALL_ADVISOR_SEGMENT_DAYS: "3", PITWALL_ADVISOR_SEGMENT_EVERY_S: "60" })).toMatchObject({ days: 3, everyMs: 60_000 });
    expect(() => keeperSettingsFromEnv({ PITWALL_ADVISOR_SEGMENT_DAYS: "a week" })).toThrow(/PITWALL_ADVISOR_SEGMENT_DAYS must be a whole number of at least 0, got "a week"/);
    expect(() => keeperSettingsFromEnv({ PITWALL_ADVISOR_SEGMENT_EVERY_S: "1" })).toThrow(/PITWALL_ADVISOR_SEGMENT_EVERY_S/);
  });
});
