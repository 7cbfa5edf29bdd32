import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { emptyRow, mergeInto, rowKey, type RollupRow } from "./rollup-aggregate";
import { isDatabaseUnavailable } from "../errors";
import { DEFAULT_MAX_ATTEMPTS, recordSealFailure } from "./rollup-dead-letter";
import { rowFromDb, STORED_COLUMNS, writeRollupRows } from "./rollup-write";

export type Watermarks = { hourUntilMs: number; dayUntilMs: number };

const HOUR = 3_600_000;
const DAY = 86_400_000;
export const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;

/**
 * The sealed-until marks. On first use they start at the current hour and day: nothing older has
 * minute rows to seal, so late events for older buckets go straight into hour and day rows.
 */
export async function readWatermarks(db: DbOrTx, nowMs = Date.now()): Promise<Watermarks> {
  const read = async () =>
    rowsOf<{ grain_s: number; ms: string }>(
      await db.execute(sql`select grain_s, (extract(epoch from sealed_until) * 1000)::bigint::text as ms from rollup_watermarks`),
    );
  let rows = await read();
  if (rows.length < 2) {
    await db.execute(sql`
      insert into rollup_watermarks (grain_s, sealed_until) values
        (3600, ${new Date(floorTo(nowMs, HOUR)).toISOString()}::timestamptz),
        (86400, ${new Date(floorTo(nowMs, DAY)).toISOString()}::timestamptz)
      on conflict (grain_s) do nothing
    `);
    rows = await read();
  }
  const get = (g: number) => Number(rows.find((r) => Number(r.grain_s) === g)?.ms);
  return { hourUntilMs: get(3600), dayUntilMs: get(86_400) };
}

/**
 * The marks for queries, cached briefly per database handle. A stale mark is only ever lower
 * than the real one (marks move forward), which sends a query to minute rows for a sealed hour:
 * slower, never wrong. Saves a round trip on every dashboard query.
 */
const MARKS_TTL_MS = 5_000;
const cachedMarks = new WeakMap<Db, { marks: Watermarks; expires: number }>();

export async function queryWatermarks(db: Db): Promise<Watermarks> {
  const hit = cachedMarks.get(db);
  if (hit && hit.expires > Date.now()) return hit.marks;
  const rows = rowsOf<{ grain_s: number; ms: string }>(
    await db.execute(sql`select grain_s, (extract(epoch from sealed_until) * 1000)::bigint::text as ms from rollup_watermarks`),
  );
  const get = (g: number) => Number(rows.find((r) => Number(r.grain_s) === g)?.ms ?? 0);
  const marks = { hourUntilMs: get(3600), dayUntilMs: Math.min(get(86_400), get(3600)) };
  cachedMarks.set(db, { marks, expires: Date.now() + MARKS_TTL_MS });
  return marks;
}

/**
 * Builds `toGrain` rows for [from, to) from the `fromGrain` rows, one target bucket at a time
 * (bounded memory when catching up), replacing any that exist, so sealing is idempotent. Sums add
 * exactly; histograms merge bucket by bucket.
 */
export async function coarsenRollups(db: DbOrTx, fromGrain: number, toGrain: number, from: Date, to: Date, projectId?: string): Promise<void> {
  const step = toGrain * 1000;
  for (let t = floorTo(from.getTime(), step); t < to.getTime(); t += step) await coarsenBucket(db, fromGrain, toGrain, t, projectId);
}

/** One target bucket of `coarsenRollups`: every project's, or one project's. */
export async function coarsenBucket(db: DbOrTx, fromGrain: number, toGrain: number, t: number, projectId?: string): Promise<void> {
  const project = projectId ? sql` and project_id = ${projectId}::uuid` : sql``;
  const a = new Date(t).toISOString();
  const b = new Date(t + toGrain * 1000).toISOString();
  const sources = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select ${STORED_COLUMNS} from metric_rollups
      where grain_s = ${fromGrain} and bucket >= ${a}::timestamptz and bucket < ${b}::timestamptz${project}
    `),
  );
  const targets = new Map<string, RollupRow>();
  for (const s of sources) {
    const src = rowFromDb(s);
    const dims: [string, string, string, string] = [src.model, src.route, src.agent, src.status];
    const key = rowKey(src.projectId, toGrain, t, src.setId, src.kind, dims);
    let row = targets.get(key);
    if (!row) {
      row = emptyRow(src.projectId, toGrain, t, src.setId, src.kind, dims);
      targets.set(key, row);
    }
    mergeInto(row, src);
  }
  await db.execute(sql`delete from metric_rollups where grain_s = ${toGrain} and bucket = ${a}::timestamptz${project}`);
  await writeRollupRows(db, [...targets.values()], { replace: true });
}

/**
 * Seals one target bucket, each attempt in a savepoint. If the whole bucket fails, each project
 * is sealed alone, so one project's bad rows cannot hold back everyone's hours; a project that
 * fails `maxAttempts` times is set aside (rollup_dead_letters) and sealing goes past it, leaving
 * that project's bucket without coarse rows. Returns false while a project is still being retried.
 */
async function sealBucket(db: DbOrTx, fromGrain: number, toGrain: number, t: number, maxAttempts: number): Promise<boolean> {
  try {
    await db.transaction((sp) => coarsenBucket(sp, fromGrain, toGrain, t));
    return true;
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw err;
    const projects = rowsOf<{ project_id: string }>(
      await db.execute(sql`
        select distinct project_id from metric_rollups
        where grain_s = ${fromGrain} and bucket >= ${new Date(t).toISOString()}::timestamptz and bucket < ${new Date(t + toGrain * 1000).toISOString()}::timestamptz
      `),
    );
    let done = true;
    for (const { project_id: projectId } of projects) {
      try {
        await db.transaction((sp) => coarsenBucket(sp, fromGrain, toGrain, t, projectId));
      } catch (e) {
        if (!(await recordSealFailure(db, { grainS: toGrain, bucketMs: t, projectId }, e, maxAttempts))) done = false;
      }
    }
    return done;
  }
}

/**
 * Seals every complete hour (and then day) past the marks: run by the flusher under its lock,
 * after draining the queue, so no queued event of a sealed hour is left behind. The marks move
 * bucket by bucket and stop at a bucket still being retried (queries then read its minutes).
 */
export async function sealRollups(db: DbOrTx, marks: Watermarks, nowMs = Date.now(), maxAttempts = DEFAULT_MAX_ATTEMPTS): Promise<Watermarks> {
  const hourTarget = floorTo(nowMs, HOUR);
  const dayTarget = floorTo(nowMs, DAY);
  const next = { ...marks };
  for (let t = marks.hourUntilMs; t < hourTarget; t += HOUR) {
    if (!(await sealBucket(db, 60, 3600, t, maxAttempts))) break;
    next.hourUntilMs = t + HOUR;
  }
  if (next.hourUntilMs !== marks.hourUntilMs) await setWatermark(db, 3600, next.hourUntilMs);
  for (let t = marks.dayUntilMs; t < dayTarget && next.hourUntilMs >= t + DAY; t += DAY) {
    if (!(await sealBucket(db, 3600, 86_400, t, maxAttempts))) break;
    next.dayUntilMs = t + DAY;
  }
  if (next.dayUntilMs !== marks.dayUntilMs) await setWatermark(db, 86_400, next.dayUntilMs);
  return next;
}

export async function setWatermark(db: DbOrTx, grainS: number, untilMs: number): Promise<void> {
  await db.execute(sql`
    insert into rollup_watermarks (grain_s, sealed_until) values (${grainS}, ${new Date(untilMs).toISOString()}::timestamptz)
    on conflict (grain_s) do update set sealed_until = excluded.sealed_until
  `);
}
