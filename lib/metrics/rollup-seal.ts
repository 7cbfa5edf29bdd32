import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { emptyRow, mergeInto, rowKey, type RollupRow } from "./rollup-aggregate";
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
export async function coarsenRollups(db: Db, fromGrain: number, toGrain: number, from: Date, to: Date, projectId?: string): Promise<void> {
  const step = toGrain * 1000;
  const project = projectId ? sql` and project_id = ${projectId}::uuid` : sql``;
  for (let t = floorTo(from.getTime(), step); t < to.getTime(); t += step) {
    const a = new Date(t).toISOString();
    const b = new Date(t + step).toISOString();
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
}

/**
 * Seals every complete hour (and then day) past the marks: run by the flusher under its lock,
 * after draining the queue, so no queued event of a sealed hour is left behind.
 */
export async function sealRollups(db: DbOrTx, marks: Watermarks, nowMs = Date.now()): Promise<Watermarks> {
  const hourTarget = floorTo(nowMs, HOUR);
  const dayTarget = floorTo(nowMs, DAY);
  const next = { ...marks };
  if (marks.hourUntilMs < hourTarget) {
    await coarsenRollups(db, 60, 3600, new Date(marks.hourUntilMs), new Date(hourTarget));
    await setWatermark(db, 3600, hourTarget);
    next.hourUntilMs = hourTarget;
  }
  if (marks.dayUntilMs < dayTarget && next.hourUntilMs >= dayTarget) {
    await coarsenRollups(db, 3600, 86_400, new Date(marks.dayUntilMs), new Date(dayTarget));
    await setWatermark(db, 86_400, dayTarget);
    next.dayUntilMs = dayTarget;
  }
  return next;
}

export async function setWatermark(db: Db, grainS: number, untilMs: number): Promise<void> {
  await db.execute(sql`
    insert into rollup_watermarks (grain_s, sealed_until) values (${grainS}, ${new Date(untilMs).toISOString()}::timestamptz)
    on conflict (grain_s) do update set sealed_until = excluded.sealed_until
  `);
}
