import { sql } from "drizzle-orm";
import type { Db, DbHandle } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { LATE_ARRIVAL_MS } from "./traffic-extend";
import { sameStamp } from "./traffic";
import { windowStamp } from "./traffic-load";
import { HOUR_MS, hoursStored, hourStamps, segmentsOverlapping, storedStamp, wholeHours, writeSegment, type SegmentInfo } from "./traffic-segments";
import { loadTrafficWithSegments } from "./traffic-segments-load";
import { log } from "../log";
import type { KeeperOutcome, KeeperPass } from "./segment-keeper-messages";

export const DAY_MS = 24 * HOUR_MS;

export type KeeperPassOptions = {
  /** Days kept, counting today (UTC): 8 holds a 7-day window whatever hour it starts. */
  days: number;
  nowMs?: number;
  /** Only these projects (tests); default every project. */
  projectIds?: string[];
  signal?: AbortSignal;
};

/**
 * One pass of the advisor's segment keeper: for each project, each UTC day of the last `days`
 * whose settled hours (ended LATE_ARRIVAL_MS ago) are not all stored as the events read them now
 * is loaded (through the segments already stored: usually only the hours new since) and stored
 * again as one segment per day. So a cold analysis of any window in that span reads the days'
 * segments instead of the events table, in any process, even the first time that window is asked
 * for (traffic-segments-load.ts). Days are the unit: a segment per hour made reading a week slower
 * than the COPY (every hour's strings coded again), and a segment per window shape would be
 * rewritten whole, a week's worth, each hour. A pass with nothing new costs one lookup per project
 * and one window aggregate per project with traffic (the hours' stamps only when it differs).
 */
export async function keepSegments(db: Db, opts: KeeperPassOptions): Promise<KeeperPass> {
  const started = performance.now();
  const now = opts.nowMs ?? Date.now();
  const settled = Math.floor((now - LATE_ARRIVAL_MS) / HOUR_MS) * HOUR_MS;
  const firstDay = Math.floor(settled / DAY_MS) * DAY_MS - (Math.max(1, opts.days) - 1) * DAY_MS;
  const ids = opts.projectIds ?? rowsOf<{ id: string }>(await db.execute(sql`select id from projects order by id`)).map((r) => r.id);
  const pass: KeeperPass = { projects: 0, daysWritten: 0, daysCleared: 0, ms: 0 };
  for (const projectId of ids) {
    opts.signal?.throwIfAborted();
    const [read, listed] = await Promise.all([windowStamp(db, { projectId, from: new Date(firstDay), to: new Date(settled) }), segmentsOverlapping(db, projectId, firstDay, settled)]);
    const segments = await withoutOtherShapes(db, projectId, listed);
    if (read.rows === 0 && segments.length === 0) continue;
    pass.projects++;
    // Nothing settled, arrived late or was repriced since the last pass: the hours need not be read one by one.
    if (sameStamp(read, storedStamp(segments, firstDay, settled))) continue;
    const stamps = await hourStamps(db, projectId, firstDay, settled);
    for (let day = firstDay; day < settled; day += DAY_MS) {
      const end = Math.min(day + DAY_MS, settled);
      if (hoursStored(wholeHours(day, end), stamps, segments)) continue;
      opts.signal?.throwIfAborted();
      if (!wholeHours(day, end).some((h) => stamps.has(h))) {
        // Every event of the day is gone (retention, a deleted project's leftovers): so is its segment.
        await db.execute(sql`delete from advisor_traffic_segments where project_id = ${projectId}::uuid
          and start_at >= ${new Date(day).toISOString()}::timestamptz and end_at <= ${new Date(day + DAY_MS).toISOString()}::timestamptz`);
        pass.daysCleared++;
        continue;
      }
      const traffic = await loadTrafficWithSegments(db, { projectId, from: new Date(day), to: new Date(end), signal: opts.signal });
      if (await writeSegment(db, traffic, settled)) pass.daysWritten++;
    }
  }
  pass.ms = Math.round(performance.now() - started);
  return pass;
}

/**
 * The segments that are one day's (from midnight UTC, at most a day long); any other is deleted.
 * The keeper is their only writer, but an earlier version stored each loaded window whole: such
 * a segment overlaps the days, so the loader would read it (it covers more) and a pass would never
 * find the days stored as they read.
 */
async function withoutOtherShapes(db: Db, projectId: string, segments: SegmentInfo[]): Promise<SegmentInfo[]> {
  const day = (s: SegmentInfo) => s.startMs % DAY_MS === 0 && s.endMs - s.startMs <= DAY_MS;
  for (const s of segments.filter((x) => !day(x))) {
    await db.execute(sql`delete from advisor_traffic_segments where project_id = ${projectId}::uuid and start_at = ${new Date(s.startMs).toISOString()}::timestamptz`);
  }
  return segments.filter(day);
}

/** Any number for pg_try_advisory_lock, fixed: the keepers of every process of an install share it. */
const KEEPER_LOCK = 0x70697477; // "pitw"

/**
 * A pass, by one process at a time on Postgres (processes of one install share the segments, so
 * a second keeper would only do the same work again): null when another process's pass holds
 * the lock. PGlite is one process.
 */
export async function keepSegmentsOnce(handle: DbHandle, opts: KeeperPassOptions): Promise<KeeperPass | null> {
  if (!handle.sql) return keepSegments(handle.db, opts);
  const conn = await handle.sql.reserve();
  try {
    const [got] = await conn<{ ok: boolean }[]>`select pg_try_advisory_lock(${KEEPER_LOCK}) as ok`;
    if (!got?.ok) return null;
    try {
      return await keepSegments(handle.db, opts);
    } finally {
      await conn`select pg_advisory_unlock(${KEEPER_LOCK})`;
    }
  } finally {
    conn.release();
  }
}

/** A pass as the keeper's loop runs it: its error logged, not thrown; null when cancelled (closing). */
export async function keeperPass(handle: DbHandle, days: number, signal: AbortSignal): Promise<KeeperOutcome | null> {
  try {
    const pass = await keepSegmentsOnce(handle, { days, signal });
    return pass ? { type: "pass", pass } : { type: "skipped" };
  } catch (err) {
    if (signal.aborted) return null;
    log.error({ err }, "advisor: a segment keeper pass failed; the next pass tries again");
    return { type: "failed" };
  }
}
