import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { eventColumn, type EventField, type EventRecord } from "../events/event-record";
import { AppError } from "../errors";
import { nanoToUsdRounded, nanoToUsdString } from "./money";
import { excludedRoutes } from "./playground-filter";
import type { EventListParams } from "./schemas";
import { resolveRange } from "./time-range";

/** The fields of an event the list shows, named as in EventRecord (lib/events/event-record.ts). */
const LIST_FIELDS = [
  "id",
  "ts",
  "kind",
  "agent",
  "route",
  "sessionId",
  "traceId",
  "model",
  "status",
  "errorType",
  "httpStatus",
  "latencyMs",
  "ttftMs",
  "streamed",
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWrite5mTokens",
  "cacheWrite1hTokens",
  "responseCache",
  "costNanoUsd",
  "costSource",
] as const satisfies readonly EventField[];

export type EventListItem = Pick<EventRecord, (typeof LIST_FIELDS)[number]> & { costUsd: number; costUsdExact: string };

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

const UTC_ISO = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
const selectColumn = (field: EventField | "receivedAt"): string => {
  const name = eventColumn(field);
  if (field === "ts" || field === "receivedAt") return `to_char(${name} at time zone 'UTC', ${UTC_ISO}) as ${name}`;
  if (field === "costNanoUsd") return `${name}::text as ${name}`;
  return name;
};
const LIST_COLUMNS = sql.raw(LIST_FIELDS.map(selectColumn).join(", "));

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
  for (const route of excludedRoutes(p)) conds.push(sql`route is distinct from ${route}`);
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
    kind: String(r.kind) as EventListItem["kind"],
    agent: (r.agent as string | null) ?? null,
    route: (r.route as string | null) ?? null,
    sessionId: (r.session_id as string | null) ?? null,
    traceId: (r.trace_id as string | null) ?? null,
    model: (r.model as string | null) ?? null,
    status: String(r.status) as EventListItem["status"],
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
    responseCache: String(r.response_cache) as EventListItem["responseCache"],
    costUsd: nanoToUsdRounded(nano),
    costUsdExact: nanoToUsdString(nano),
    costNanoUsd: nano.toString(),
    costSource: String(r.cost_source) as EventListItem["costSource"],
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

/** What the event drawer shows beyond the list's fields. */
const DETAIL_FIELDS = [
  "receivedAt",
  "parentId",
  "userId",
  "provider",
  "requestedModel",
  "promptHash",
  "systemHash",
  "systemTokens",
  "messageCount",
  "toolCount",
  "policyVersion",
  "tags",
  "metadata",
] as const satisfies readonly (EventField | "receivedAt")[];
const DETAIL_COLUMNS = sql.raw(DETAIL_FIELDS.map(selectColumn).join(", "));

export type EventDetail = EventListItem & Pick<EventRecord, Exclude<(typeof DETAIL_FIELDS)[number], "receivedAt">> & { receivedAt: string };

export async function getEvent(db: Db, projectId: string, id: string): Promise<EventDetail> {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select ${LIST_COLUMNS}, ${DETAIL_COLUMNS}
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
