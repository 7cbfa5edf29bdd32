import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";

/**
 * Fills a project with `count` synthetic events over [fromMs, toMs) in SQL (generate_series), for
 * the advisor's load benchmarks: 15% tool spans, the rest LLM calls with every column the advisor
 * reads filled and varied (12 routes, 4 agents, 3 models, 20k sessions, repeated prompt and system
 * hashes, streamed and not, a tag set on some). Shapes, not a planted workload. Ids are
 * `idPrefix` and a number: a second fill into the same project needs a prefix of its own, and an
 * `offset` past the first fill's count for traces of its own (sessions and prompts recur, as they do).
 */
export async function fillAdvisorEvents(db: Db, projectId: string, count: number, fromMs: number, toMs: number, opts: { idPrefix?: string; offset?: number } = {}): Promise<void> {
  const idPrefix = opts.idPrefix ?? "bench-";
  const offset = opts.offset ?? 0;
  const spanS = (toMs - fromMs) / 1000;
  const from = new Date(fromMs).toISOString();
  for (let done = 0; done < count; done += 200_000) {
    const n = Math.min(200_000, count - done);
    await db.execute(sql`
      insert into events (project_id, id, ts, kind, agent, route, session_id, trace_id, parent_id, user_id, provider,
        model, requested_model, status, streamed, latency_ms, ttft_ms, input_tokens, output_tokens, cache_read_tokens,
        cache_write_5m_tokens, cache_write_1h_tokens, response_cache, cost_nano_usd, cost_source, prompt_hash, system_hash,
        system_tokens, message_count, tool_count, policy_version, tags, metadata)
      select ${projectId}::uuid, ${idPrefix}::text || (${done} + g), ${from}::timestamptz + random() * ${spanS} * interval '1 second',
        case when g % 7 = 0 then 'tool' else 'llm' end,
        (array['planner','support-bot','coder','batcher'])[1 + (g % 4)], 'route-' || (g % 12), 's' || (g % 20000),
        md5('t' || (g / 6)), case when g % 7 = 0 then null else md5('p' || (g / 7)) end,
        case when g % 2 = 0 then 'u' || (g % 500) end, 'anthropic',
        case when g % 7 = 0 then null else (array['claude-sonnet-4-5','claude-opus-4-5','claude-haiku-4-5'])[1 + (g % 3)] end,
        case when g % 7 = 0 then null else (array['claude-sonnet-4-5','claude-opus-4-5','claude-haiku-4-5'])[1 + (g % 3)] end,
        'ok', g % 3 = 0, 200 + random() * 4000, case when g % 3 = 0 then 150 + random() * 900 end,
        (random() * 6000)::int, (random() * 800)::int, case when g % 5 = 0 then 4096 else 0 end, 0, 0,
        (array['none','miss','hit'])[1 + (g % 3)], (random() * 10000000)::bigint, 'computed',
        substr(md5('q' || (g % 300000)), 1, 32), substr(md5('s' || (g % 40)), 1, 32), 4000 + (g % 40) * 100,
        1 + (g % 30), g % 4, 1,
        case when g % 5 = 0 then '{"team":"a"}'::jsonb else '{}'::jsonb end,
        case when g % 7 = 0 then jsonb_build_object('name', 'tool_' || (g % 5)) else '{}'::jsonb end
      from generate_series(${offset}::int + 1, ${offset}::int + ${n}::int) as g
    `);
  }
  // Vacuumed as well as analysed: the first read of freshly inserted rows sets their hint bits
  // (writing every page), which a table autovacuum keeps up does not do on each read; without it
  // the first timed load paid for the fill.
  await db.execute(sql`vacuum (analyze) events`);
}
