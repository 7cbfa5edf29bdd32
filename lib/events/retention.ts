import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { log } from "../log";

/** Other stores (rollups, response cache) register their own clean-up for the same cutoff. */
export type RetentionHook = (db: Db, cutoff: Date) => Promise<number>;
const hooks = new Map<string, RetentionHook>();
export function onRetention(name: string, hook: RetentionHook): void {
  hooks.set(name, hook);
}

export function retentionCutoff(days: number, now = Date.now()): Date {
  return new Date(now - days * 86_400_000);
}

/**
 * Deletes events older than the cutoff in bounded chunks, so a large backlog never holds one long
 * transaction or lock (the BRIN index on ts finds old rows cheaply).
 */
export async function deleteEventsBefore(db: Db, cutoff: Date, chunk = 10_000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.execute(sql`
      with doomed as (select ctid from events where ts < ${cutoff.toISOString()}::timestamptz limit ${chunk})
      delete from events where ctid in (select ctid from doomed) returning 1 as gone
    `);
    const n = rowsOf(result).length;
    total += n;
    if (n < chunk) return total;
  }
}

export async function runRetention(db: Db, days: number, now = Date.now()): Promise<Record<string, number>> {
  const cutoff = retentionCutoff(days, now);
  const removed: Record<string, number> = { events: await deleteEventsBefore(db, cutoff) };
  for (const [name, hook] of hooks) removed[name] = await hook(db, cutoff);
  return removed;
}

/** Runs retention at start and then hourly; the timer never keeps the process alive. */
export function scheduleRetention(db: Db, days: number, everyMs = 3_600_000): () => void {
  const tick = () =>
    runRetention(db, days)
      .then((removed) => {
        if (Object.values(removed).some((n) => n > 0)) log.info({ removed, days }, "retention removed old rows");
      })
      .catch((err) => log.error({ err }, "retention failed"));
  const first = setTimeout(tick, 5_000);
  const timer = setInterval(tick, everyMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
