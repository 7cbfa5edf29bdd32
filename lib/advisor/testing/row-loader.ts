import { and, eq, gte, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { events } from "@/db/schema";
import { trafficFromRows, type Traffic, type TrafficRow } from "../traffic-columns";

/** Test-only: a window's events as Traffic through a plain select (the real loader is lib/advisor/traffic-load). */
export async function loadTrafficByRows(db: Db, params: { projectId: string; from: Date; to: Date; signal?: AbortSignal }): Promise<Traffic> {
  const rows = await db
    .select()
    .from(events)
    .where(and(eq(events.projectId, params.projectId), gte(events.ts, params.from), lt(events.ts, params.to)));
  params.signal?.throwIfAborted();
  return trafficFromRows(params, rows);
}

/** Inserts recorded rows for a project, in chunks. */
export async function insertRows(db: Db, projectId: string, rows: TrafficRow[]): Promise<void> {
  for (let k = 0; k < rows.length; k += 500) {
    await db.insert(events).values(rows.slice(k, k + 500).map((r) => ({ ...r, projectId, provider: "anthropic", metadata: {} })));
  }
}
