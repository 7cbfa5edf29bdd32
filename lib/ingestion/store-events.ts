import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { rowsOf } from "@/db/rows";
import type { EventRecord } from "./normalize-event";

/**
 * Inserts a batch with ONE set-based statement: the batch travels as a single jsonb parameter and
 * jsonb_to_recordset turns it into rows (the same plan on postgres.js and PGlite, one round trip).
 * ON CONFLICT makes re-sent ids no-ops; RETURNING tells which rows are new, so callers (rollups)
 * only ever count an event once.
 */
export async function storeEvents(db: DbOrTx, projectId: string, records: EventRecord[]): Promise<string[]> {
  if (records.length === 0) return [];
  const result = await db.execute(sql`
    insert into events (
      project_id, id, ts, kind, agent, route, session_id, trace_id, parent_id, user_id, provider,
      model, requested_model, status, error_type, http_status, latency_ms, ttft_ms, streamed,
      input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
      response_cache, cost_nano_usd, cost_source, prompt_hash, system_hash, system_tokens,
      message_count, tool_count, policy_version, tags, metadata
    )
    select
      ${projectId}::uuid, r.id, r."ts", r.kind, r.agent, r.route, r."sessionId", r."traceId", r."parentId",
      r."userId", r.provider, r.model, r."requestedModel", r.status, r."errorType", r."httpStatus",
      r."latencyMs", r."ttftMs", r.streamed, r."inputTokens", r."outputTokens", r."cacheReadTokens",
      r."cacheWrite5mTokens", r."cacheWrite1hTokens", r."responseCache", r."costNanoUsd", r."costSource",
      r."promptHash", r."systemHash", r."systemTokens", r."messageCount", r."toolCount", r."policyVersion",
      coalesce(r.tags, '{}'::jsonb), coalesce(r.metadata, '{}'::jsonb)
    from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(
      id text, "ts" timestamptz, kind text, agent text, route text, "sessionId" text, "traceId" text,
      "parentId" text, "userId" text, provider text, model text, "requestedModel" text, status text,
      "errorType" text, "httpStatus" integer, "latencyMs" double precision, "ttftMs" double precision,
      streamed boolean, "inputTokens" integer, "outputTokens" integer, "cacheReadTokens" integer,
      "cacheWrite5mTokens" integer, "cacheWrite1hTokens" integer, "responseCache" text,
      "costNanoUsd" bigint, "costSource" text, "promptHash" text, "systemHash" text,
      "systemTokens" integer, "messageCount" integer, "toolCount" integer, "policyVersion" integer,
      tags jsonb, metadata jsonb
    )
    on conflict (project_id, id) do nothing
    returning id
  `);
  return rowsOf<{ id: string }>(result).map((r) => r.id);
}
