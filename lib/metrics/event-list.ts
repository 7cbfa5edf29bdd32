import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { AppError } from "../errors";
import { nanoToUsdRounded, nanoToUsdString } from "./money";
import type { EventListParams } from "./schemas";
import { resolveRange } from "./time-range";

export type EventListItem = {
  id: string;
  ts: string;
  kind: string;
  agent: string | null;
  route: string | null;
  sessionId: string | null;
  traceId: string | null;
  model: string | null;
  status: string;
  errorType: string | null;
  httpStatus: number | null;
  latencyMs: number | null;
  ttftMs: number | null;
  streamed: boolean;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  responseCache: string;
  costUsd: number;
  costUsdExact: string;
  costNanoUsd: string;
  costSource: string;
};

export type EventPage = { from: string; to: string; events: EventListItem[]; nextCursor: string | null };

/** A keyset position: the last row's (ts, id), opaque to clients. */
type Cursor = { ts: string; id: string };

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.ts, c.id])).toString("base64url");
}

export function decodeCursor(raw: string): Cursor {
  try {
    const [ts, id] = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as unknown[];
    if (typeof ts === "string" && typeof id === "string" && !Number.isNaN(Date.parse(ts)) && id.length <= 128) return { ts, id };
  } catch {
    /* fall through */
  }
  throw new AppError("bad_request:cursor", "The cursor is not valid; start again from the first page.");
}

const LIST_COLUMNS = sql.raw(`id, to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ts, kind, agent, route,
  session_id, trace_id, model, status, error_type, http_status, latency_ms, ttft_ms, streamed, input_tokens, output_tokens,
  cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, response_cache, cost_nano_usd::text as cost_nano_usd, cost_source`);

/** The filtered, time-bounded events of a project, newest first. */
export function eventWhere(projectId: string, p: EventListParams, range: { fromMs: number; toMs: number }, cursor?: Cursor): SQL {
  const conds: SQL[] = [
    sql`project_id = ${projectId}::uuid`,
    sql`ts >= ${new Date(range.fromMs).toISOString()}::timestamptz`,
    sql`ts < ${new Date(range.toMs).toISOString()}::timestamptz`,
  ];
  const eq = (column: string, value: string | undefined) => {
    if (value !== undefined) conds.push(sql`${sql.identifier(column)} = ${value}`);
  };
  eq("model", p.model);
  eq("route", p.route);
  eq("agent", p.agent);
  eq("status", p.status);
  eq("kind", p.kind);
  eq("session_id", p.sessionId);
  eq("trace_id", p.traceId);
  eq("response_cache", p.responseCache);
  // Row comparison walks the (project_id, ts desc) index from the cursor on: no OFFSET scan.
  if (cursor) conds.push(sql`(ts, id) < (${cursor.ts}::timestamptz, ${cursor.id})`);
  return sql.join(conds, sql` and `);
}

function toItem(r: Record<string, unknown>): EventListItem {
  const nano = BigInt(String(r.cost_nano_usd));
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: String(r.id),
    ts: String(r.ts),
    kind: String(r.kind),
    agent: (r.agent as string | null) ?? null,
    route: (r.route as string | null) ?? null,
    sessionId: (r.session_id as string | null) ?? null,
    traceId: (r.trace_id as string | null) ?? null,
    model: (r.model as string | null) ?? null,
    status: String(r.status),
    errorType: (r.error_type as string | null) ?? null,
    httpStatus: num(r.http_status),
    latencyMs: num(r.latency_ms),
    ttftMs: num(r.ttft_ms),
    streamed: Boolean(r.streamed),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    cacheReadTokens: Number(r.cache_read_tokens),
    cacheWrite5mTokens: Number(r.cache_write_5m_tokens),
    cacheWrite1hTokens: Number(r.cache_write_1h_tokens),
    responseCache: String(r.response_cache),
    costUsd: nanoToUsdRounded(nano),
    costUsdExact: nanoToUsdString(nano),
    costNanoUsd: nano.toString(),
    costSource: String(r.cost_source),
  };
}

export async function listEvents(db: Db, projectId: string, p: EventListParams, nowMs = Date.now()): Promise<EventPage> {
  const range = resolveRange(p, nowMs);
  const cursor = p.cursor ? decodeCursor(p.cursor) : undefined;
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select ${LIST_COLUMNS} from events where ${eventWhere(projectId, p, range, cursor)}
      order by ts desc, id desc limit ${p.limit + 1}
    `),
  );
  const page = rows.slice(0, p.limit).map(toItem);
  const last = page[page.length - 1];
  return {
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
    events: page,
    nextCursor: rows.length > p.limit && last ? encodeCursor({ ts: last.ts, id: last.id }) : null,
  };
}

export type EventDetail = EventListItem & {
  receivedAt: string;
  parentId: string | null;
  userId: string | null;
  provider: string;
  requestedModel: string | null;
  promptHash: string | null;
  systemHash: string | null;
  systemTokens: number | null;
  messageCount: number | null;
  toolCount: number | null;
  policyVersion: number | null;
  tags: Record<string, string>;
  metadata: Record<string, unknown>;
};

export async function getEvent(db: Db, projectId: string, id: string): Promise<EventDetail> {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select ${LIST_COLUMNS}, to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as received_at,
        parent_id, user_id, provider, requested_model, prompt_hash, system_hash, system_tokens, message_count, tool_count,
        policy_version, tags, metadata
      from events where project_id = ${projectId}::uuid and id = ${id}
    `),
  );
  const r = rows[0];
  if (!r) throw new AppError("not_found:event", "No event with that id in this project.");
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const json = <T>(v: unknown): T => (typeof v === "string" ? (JSON.parse(v) as T) : (v as T));
  return {
    ...toItem(r),
    receivedAt: String(r.received_at),
    parentId: (r.parent_id as string | null) ?? null,
    userId: (r.user_id as string | null) ?? null,
    provider: String(r.provider),
    requestedModel: (r.requested_model as string | null) ?? null,
    promptHash: (r.prompt_hash as string | null) ?? null,
    systemHash: (r.system_hash as string | null) ?? null,
    systemTokens: num(r.system_tokens),
    messageCount: num(r.message_count),
    toolCount: num(r.tool_count),
    policyVersion: num(r.policy_version),
    tags: json<Record<string, string>>(r.tags) ?? {},
    metadata: json<Record<string, unknown>>(r.metadata) ?? {},
  };
}

export { LIST_COLUMNS, toItem };
