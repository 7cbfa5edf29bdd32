import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";

/**
 * Deletes rollup rows whose whole bucket ends at or before the cutoff (the retention job calls
 * this with the events' cutoff). A bucket straddling the cutoff stays until it is fully past, so
 * the day in progress of expiring keeps its totals. Chunked like the events' clean-up.
 */
export async function deleteRollupsBefore(db: Db, cutoff: Date, chunk = 10_000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.execute(sql`
      with doomed as (
        select ctid from metric_rollups
        where bucket < ${cutoff.toISOString()}::timestamptz
          and bucket + make_interval(secs => grain_s) <= ${cutoff.toISOString()}::timestamptz
        limit ${chunk}
      )
      delete from metric_rollups where ctid in (select ctid from doomed) returning 1 as gone
    `);
    const n = rowsOf(result).length;
    total += n;
    if (n < chunk) return total;
  }
}
