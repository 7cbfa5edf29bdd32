import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import type { ImpactEvent } from "./impact-estimate";

/**
 * Above this many calls in the window the preview reads a uniform random sample of this size and
 * scales the figures up; the page says so, with the sample size. 50,000 keeps a share's error
 * under about ±0.5 points while the read stays well under the 2 s budget on 1M events.
 */
export const PREVIEW_SAMPLE_SIZE = 50_000;

/** Up to this share of the window, pages are sampled rather than rows (see loadPreviewEvents). */
const SYSTEM_SAMPLE_MAX_FRACTION = 0.2;

export type PreviewEvents = { events: ImpactEvent[]; totalEvents: number; sampled: boolean };

/** The project's LLM calls in [from, to), all of them or a sample (see PREVIEW_SAMPLE_SIZE). */
export async function loadPreviewEvents(db: Db, params: { projectId: string; from: Date; to: Date; sampleSize?: number }): Promise<PreviewEvents> {
  const limit = params.sampleSize ?? PREVIEW_SAMPLE_SIZE;
  const where = sql`project_id = ${params.projectId}::uuid and ts >= ${params.from.toISOString()}::timestamptz and ts < ${params.to.toISOString()}::timestamptz and kind = 'llm'`;
  const [{ n }] = rowsOf<{ n: string | number }>(await db.execute(sql`select count(*) as n from events where ${where}`)) as [{ n: string | number }];
  const totalEvents = Number(n);
  const sampled = totalEvents > limit;
  const fraction = Math.min(1, (limit * 1.02) / totalEvents);
  // A small fraction reads that share of the table's pages (TABLESAMPLE SYSTEM) instead of every
  // row of the window: the profile of a 1M-event preview was the heap scan, not the estimate.
  // Larger fractions keep the index scan and draw rows with random(). The limit trims the few
  // over the target either way.
  const source = sampled && fraction <= SYSTEM_SAMPLE_MAX_FRACTION ? sql`events tablesample system (${sql.raw(String(fraction * 100))})` : sql`events`;
  const filter = sampled && fraction > SYSTEM_SAMPLE_MAX_FRACTION ? sql` and random() < ${fraction}` : sql``;
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select ts, route, agent, tags, requested_model, model, user_id, input_tokens, output_tokens, cache_read_tokens,
        cache_write_5m_tokens, cache_write_1h_tokens, system_tokens, message_count, tool_count, requested_cache_ttl_sec, cost_nano_usd::text as cost
      from ${source} where ${where}${filter}
      limit ${limit}
    `),
  );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const events = rows.map(
    (r): ImpactEvent => ({
      ts: r.ts instanceof Date ? r.ts : new Date(String(r.ts)),
      route: (r.route as string | null) ?? null,
      agent: (r.agent as string | null) ?? null,
      tags: (typeof r.tags === "string" ? JSON.parse(r.tags) : (r.tags ?? {})) as Record<string, string>,
      requestedModel: (r.requested_model as string | null) ?? null,
      model: (r.model as string | null) ?? null,
      userId: (r.user_id as string | null) ?? null,
      inputTokens: Number(r.input_tokens),
      outputTokens: Number(r.output_tokens),
      cacheReadTokens: Number(r.cache_read_tokens),
      cacheWrite5mTokens: Number(r.cache_write_5m_tokens),
      cacheWrite1hTokens: Number(r.cache_write_1h_tokens),
      systemTokens: num(r.system_tokens),
      messageCount: num(r.message_count),
      toolCount: num(r.tool_count),
      requestedCacheTtlSec: num(r.requested_cache_ttl_sec),
      costNanoUsd: BigInt(String(r.cost)),
    }),
  );
  return { events, totalEvents, sampled };
}
