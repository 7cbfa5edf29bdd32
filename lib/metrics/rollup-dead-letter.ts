import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { isDatabaseUnavailable } from "../errors";
import { log } from "../log";

/**
 * Poison work must not stop the rollups of every project. The queue is global and folds in
 * order, so one queue row that cannot fold (or one bucket that cannot seal) would otherwise roll
 * the fold back and retry it every second, forever, for everyone. Such work is retried on its
 * own, and after PITWALL_ROLLUP_MAX_ATTEMPTS failures it is set aside in rollup_dead_letters with
 * its error (and its payload, to fold again once the cause is fixed). /api/health reports it.
 * A database that is unreachable is nobody's fault: it never counts as an attempt.
 */
export const DEFAULT_MAX_ATTEMPTS = 3;

export function maxAttemptsFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.PITWALL_ROLLUP_MAX_ATTEMPTS;
  if (raw === undefined || raw === "") return DEFAULT_MAX_ATTEMPTS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`PITWALL_ROLLUP_MAX_ATTEMPTS must be a whole number from 1 to 1000, got "${raw}"`);
  return n;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 2000);

export type AloneResult = "folded" | "retry" | "set_aside" | "gone" | "skipped";

/**
 * Counts one failed fold of a queue row (folded on its own, so the failure is its own). At
 * `maxAttempts` the row moves to rollup_dead_letters with its payload and error.
 */
export async function recordFoldFailure(db: Db, id: number, err: unknown, maxAttempts: number): Promise<AloneResult> {
  if (isDatabaseUnavailable(err)) throw err;
  const message = errorText(err);
  return db.transaction(async (tx) => {
    const updated = rowsOf<{ attempts: number }>(
      await tx.execute(sql`update rollup_queue set attempts = attempts + 1, last_error = ${message} where id = ${id} returning attempts`),
    );
    const attempts = Number(updated[0]?.attempts ?? 0);
    if (attempts === 0) return "gone" as const;
    if (attempts < maxAttempts) {
      log.warn({ queueId: id, attempts, maxAttempts, error: message }, "a rollup queue row failed to fold; it is retried on its own");
      return "retry" as const;
    }
    await tx.execute(sql`
      with moved as (delete from rollup_queue where id = ${id} returning id, project_id, payload, packed, attempts, last_error, created_at)
      insert into rollup_dead_letters (kind, project_id, queue_id, payload, packed, attempts, error, queued_at)
      select 'fold', project_id, id, payload, packed, attempts, last_error, created_at from moved
    `);
    noteSetAside();
    log.error({ queueId: id, attempts, error: message }, "a rollup queue row failed to fold too often; set aside in rollup_dead_letters, the queue goes on");
    return "set_aside" as const;
  });
}

// Seal failures are counted in memory per (grain, bucket, project): sealing runs only in the
// process holding the flusher lock, and a restart merely grants a bucket a few more tries.
const sealFailures = new Map<string, number>();

/**
 * Records one failed seal of a project's bucket. Returns true once it has failed `maxAttempts`
 * times: it is then in rollup_dead_letters and sealing goes past it.
 */
export async function recordSealFailure(db: DbOrTx, target: { grainS: number; bucketMs: number; projectId: string }, err: unknown, maxAttempts: number): Promise<boolean> {
  if (isDatabaseUnavailable(err)) throw err;
  const key = `${target.grainS}:${target.bucketMs}:${target.projectId}`;
  const attempts = (sealFailures.get(key) ?? 0) + 1;
  const message = errorText(err);
  if (attempts < maxAttempts) {
    sealFailures.set(key, attempts);
    log.warn({ ...target, attempts, maxAttempts, error: message }, "a rollup bucket failed to seal; it is retried on its own");
    return false;
  }
  sealFailures.delete(key);
  await db.execute(sql`
    insert into rollup_dead_letters (kind, project_id, grain_s, bucket, attempts, error)
    select 'seal', ${target.projectId}::uuid, ${target.grainS}, ${new Date(target.bucketMs).toISOString()}::timestamptz, ${attempts}, ${message}
    where exists (select 1 from projects where id = ${target.projectId}::uuid)
  `);
  noteSetAside();
  log.error({ ...target, attempts, error: message }, "a rollup bucket failed to seal too often; set aside in rollup_dead_letters, sealing goes on without it");
  return true;
}

export type DeadLetterSummary = { count: number; latest: { kind: "fold" | "seal"; projectId: string; error: string; failedAt: string } | null };

export async function getDeadLetterSummary(db: Db): Promise<DeadLetterSummary> {
  const [count] = rowsOf<{ n: string }>(await db.execute(sql`select count(*)::text as n from rollup_dead_letters`));
  const [latest] = rowsOf<{ kind: "fold" | "seal"; project_id: string; error: string; failed_at: string }>(
    await db.execute(sql`select kind, project_id, error, failed_at::text as failed_at from rollup_dead_letters order by failed_at desc, id desc limit 1`),
  );
  return {
    count: Number(count?.n ?? 0),
    latest: latest ? { kind: latest.kind, projectId: latest.project_id, error: latest.error, failedAt: new Date(latest.failed_at).toISOString() } : null,
  };
}

// Health is synchronous: the flusher keeps the summary and refreshes it when something is set aside.
let setAsideSinceRefresh = true;
function noteSetAside(): void {
  setAsideSinceRefresh = true;
}
/** True (once) when the dead-letter summary may have changed since the last call. */
export function deadLettersChanged(): boolean {
  const changed = setAsideSinceRefresh;
  setAsideSinceRefresh = false;
  return changed;
}
