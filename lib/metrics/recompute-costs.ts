import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { costRecomputeJobs, type CostRecomputeJob } from "@/db/schema";
import { AppError } from "../errors";
import { log } from "../log";
import { costNanoUsd, PriceBook, promptTokens } from "../pricing/compute-cost";
import { invalidatePriceBook, listPrices } from "../pricing/price-queries";
import { nanoToUsdRounded, nanoToUsdString } from "./money";
import type { EventKind, EventStatus, ResponseCacheStatus } from "../events/event-enums";
import type { RollupCostDelta } from "./rollup-event";
import { enqueueCostDeltas } from "./rollup-upkeep";

/**
 * Recomputes stored costs after a price change: every event in the range whose cost Pitwall
 * computed (or could not, for want of a price) is priced again with today's table. Client-given
 * costs are left alone. Each page updates the changed events and queues their cost deltas for the
 * rollups in one transaction, so the dashboards follow and nothing is counted twice.
 */
const PAGE = 2000;
// A job whose process died stops updating; after this long it reads as interrupted.
const STALE_MS = 60_000;

export type RecomputeJobView = {
  id: string;
  from: string;
  to: string;
  status: "running" | "done" | "failed" | "interrupted";
  total: number;
  processed: number;
  changed: number;
  progress: number;
  deltaUsd: number;
  deltaUsdExact: string;
  deltaNanoUsd: string;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
};

export function viewJob(job: CostRecomputeJob, nowMs = Date.now()): RecomputeJobView {
  const stale = job.status === "running" && nowMs - job.updatedAt.getTime() > STALE_MS;
  const delta = BigInt(String(job.deltaNanoUsd).split(".")[0] ?? "0");
  return {
    id: job.id,
    from: job.rangeFrom.toISOString(),
    to: job.rangeTo.toISOString(),
    status: stale ? "interrupted" : job.status,
    total: job.total,
    processed: job.processed,
    changed: job.changed,
    progress: job.total > 0 ? Math.min(1, job.processed / job.total) : 1,
    deltaUsd: nanoToUsdRounded(delta),
    deltaUsdExact: nanoToUsdString(delta),
    deltaNanoUsd: delta.toString(),
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

const RECOMPUTABLE = sql`cost_source in ('computed', 'unpriced') and model is not null`;

/** Creates the job and starts it in the background; poll it with getRecomputeJob. */
export async function startRecompute(db: Db, projectId: string, range: { from: Date; to: Date }, createdBy?: string): Promise<RecomputeJobView> {
  const running = await db
    .select({ id: costRecomputeJobs.id, updatedAt: costRecomputeJobs.updatedAt })
    .from(costRecomputeJobs)
    .where(and(eq(costRecomputeJobs.projectId, projectId), eq(costRecomputeJobs.status, "running")));
  if (running.some((j) => Date.now() - j.updatedAt.getTime() <= STALE_MS)) {
    throw new AppError("conflict:recompute_running", "A cost recomputation is already running for this project; wait for it to finish.");
  }
  const counted = rowsOf<{ n: string }>(
    await db.execute(sql`
      select count(*)::text as n from events
      where project_id = ${projectId}::uuid and ts >= ${range.from.toISOString()}::timestamptz
        and ts < ${range.to.toISOString()}::timestamptz and ${RECOMPUTABLE}
    `),
  );
  const [job] = await db
    .insert(costRecomputeJobs)
    .values({ projectId, rangeFrom: range.from, rangeTo: range.to, status: "running", total: Number(counted[0]?.n ?? 0), createdBy })
    .returning();
  void runRecompute(db, job!).catch((err) => log.error({ err, job: job!.id }, "cost recompute crashed"));
  return viewJob(job!);
}

type PageRow = {
  id: string;
  ts: string;
  kind: EventKind;
  model: string;
  route: string | null;
  agent: string | null;
  status: EventStatus;
  response_cache: ResponseCacheStatus;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_5m_tokens: number;
  cache_write_1h_tokens: number;
  cost_nano_usd: string;
  cost_source: string;
};

export async function runRecompute(db: Db, job: CostRecomputeJob): Promise<void> {
  const projectId = job.projectId;
  invalidatePriceBook(projectId);
  const book = new PriceBook(await listPrices(db, projectId));
  let cursor: { ts: string; id: string } | null = null;
  let processed = 0;
  let changed = 0;
  let delta = 0n;
  try {
    for (;;) {
      const after: ReturnType<typeof sql> = cursor ? sql` and (ts, id) > (${cursor.ts}::timestamptz, ${cursor.id})` : sql``;
      const page = rowsOf<PageRow>(
        await db.execute(sql`
          select id, to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ts, kind, model, route, agent, status,
            response_cache, input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
            cost_nano_usd::text as cost_nano_usd, cost_source
          from events
          where project_id = ${projectId}::uuid and ts >= ${job.rangeFrom.toISOString()}::timestamptz
            and ts < ${job.rangeTo.toISOString()}::timestamptz and ${RECOMPUTABLE}${after}
          order by ts, id limit ${PAGE}
        `),
      );
      if (page.length === 0) break;
      const last = page[page.length - 1]!;
      cursor = { ts: last.ts, id: last.id };

      const updates: { id: string; old: string; cost: string; source: string }[] = [];
      const deltas = new Map<string, RollupCostDelta>();
      for (const e of page) {
        const usage = {
          inputTokens: Number(e.input_tokens),
          outputTokens: Number(e.output_tokens),
          cacheReadTokens: Number(e.cache_read_tokens),
          cacheWrite5mTokens: Number(e.cache_write_5m_tokens),
          cacheWrite1hTokens: Number(e.cache_write_1h_tokens),
        };
        const price = book.find(e.model, new Date(e.ts), promptTokens(usage));
        const cost = price ? costNanoUsd(price, usage) : 0n;
        const source = price ? "computed" : "unpriced";
        const old = BigInt(e.cost_nano_usd);
        if (cost === old && source === e.cost_source) continue;
        updates.push({ id: e.id, old: e.cost_nano_usd, cost: cost.toString(), source });
        if (cost !== old) {
          deltas.set(e.id, { tsMs: Date.parse(e.ts), kind: e.kind, model: e.model, route: e.route, agent: e.agent, status: e.status, responseCache: e.response_cache, deltaNanoUsd: cost - old });
        }
      }

      await db.transaction(async (tx) => {
        if (updates.length > 0) {
          // Only rows still holding the cost we read change, so a concurrent job cannot double-apply.
          const done = rowsOf<{ id: string }>(
            await tx.execute(sql`
              update events e set cost_nano_usd = u.cost, cost_source = u.source
              from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as u(id text, old bigint, cost bigint, source text)
              where e.project_id = ${projectId}::uuid and e.id = u.id and e.cost_nano_usd = u.old
              returning e.id
            `),
          );
          const appliedDeltas = done.flatMap((r) => deltas.get(r.id) ?? []);
          await enqueueCostDeltas(tx, projectId, appliedDeltas);
          changed += done.length;
          for (const d of appliedDeltas) delta += d.deltaNanoUsd;
        }
        processed += page.length;
        await tx
          .update(costRecomputeJobs)
          .set({ processed, changed, deltaNanoUsd: delta.toString(), updatedAt: new Date() })
          .where(eq(costRecomputeJobs.id, job.id));
      });
      if (page.length < PAGE) break;
    }
    await db
      .update(costRecomputeJobs)
      .set({ status: "done", processed, total: Math.max(job.total, processed), finishedAt: new Date(), updatedAt: new Date() })
      .where(eq(costRecomputeJobs.id, job.id));
  } catch (err) {
    log.error({ err, job: job.id }, "cost recompute failed");
    await db
      .update(costRecomputeJobs)
      .set({ status: "failed", error: "The recomputation stopped on a database error; costs changed so far are kept and counted.", finishedAt: new Date(), updatedAt: new Date() })
      .where(eq(costRecomputeJobs.id, job.id))
      .catch(() => {});
  }
}

export async function getRecomputeJob(db: Db, projectId: string, id: string): Promise<RecomputeJobView> {
  const [job] = await db
    .select()
    .from(costRecomputeJobs)
    .where(and(eq(costRecomputeJobs.projectId, projectId), eq(costRecomputeJobs.id, id)));
  if (!job) throw new AppError("not_found:recompute_job", "No recomputation with that id in this project.");
  return viewJob(job);
}

export async function listRecomputeJobs(db: Db, projectId: string, limit = 5): Promise<RecomputeJobView[]> {
  const jobs = await db
    .select()
    .from(costRecomputeJobs)
    .where(eq(costRecomputeJobs.projectId, projectId))
    .orderBy(desc(costRecomputeJobs.createdAt))
    .limit(limit);
  return jobs.map((j) => viewJob(j));
}
