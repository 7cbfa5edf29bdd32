import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";

export type EventCounts = { total: number; last24h: number; lastHour: number; errors24h: number; costNanoUsd24h: string };

/** Headline counts for one project (the home page before full dashboards). */
export async function getEventCounts(db: Db, projectId: string, now = new Date()): Promise<EventCounts> {
  const dayAgo = new Date(now.getTime() - 86_400_000).toISOString();
  const hourAgo = new Date(now.getTime() - 3_600_000).toISOString();
  const result = await db.execute(sql`
    select
      count(*)::int as total,
      (count(*) filter (where ts >= ${dayAgo}::timestamptz))::int as last24h,
      (count(*) filter (where ts >= ${hourAgo}::timestamptz))::int as "lastHour",
      (count(*) filter (where ts >= ${dayAgo}::timestamptz and status = 'error'))::int as "errors24h",
      (coalesce(sum(cost_nano_usd) filter (where ts >= ${dayAgo}::timestamptz), 0))::text as "costNanoUsd24h"
    from events where project_id = ${projectId}::uuid
  `);
  const row = rowsOf<EventCounts>(result)[0];
  return row ?? { total: 0, last24h: 0, lastHour: 0, errors24h: 0, costNanoUsd24h: "0" };
}
