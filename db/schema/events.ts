import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import type { CostSource, EventKind, EventStatus, ResponseCacheStatus } from "../../lib/events/event-enums";
import { projects } from "./projects";

/**
 * One row per LLM call (or agent tool call). Money is integer nano-USD so sums never drift.
 * The one definition of the event: EventRecord (lib/events/event-record.ts), the ingest schema,
 * the insert statement, the rollup queue and the events list all derive from these columns.
 */
export const events = pgTable(
  "events",
  {
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    ts: timestamp("ts", { withTimezone: true }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    kind: text("kind").$type<EventKind>().notNull(),
    agent: text("agent"),
    route: text("route"),
    sessionId: text("session_id"),
    traceId: text("trace_id"),
    parentId: text("parent_id"),
    userId: text("user_id"),
    provider: text("provider").notNull(),
    model: text("model"),
    requestedModel: text("requested_model"),
    status: text("status").$type<EventStatus>().notNull(),
    errorType: text("error_type"),
    httpStatus: integer("http_status"),
    latencyMs: doublePrecision("latency_ms"),
    ttftMs: doublePrecision("ttft_ms"),
    streamed: boolean("streamed").notNull(),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    cacheReadTokens: integer("cache_read_tokens").notNull(),
    cacheWrite5mTokens: integer("cache_write_5m_tokens").notNull(),
    cacheWrite1hTokens: integer("cache_write_1h_tokens").notNull(),
    responseCache: text("response_cache").$type<ResponseCacheStatus>().notNull(),
    costNanoUsd: bigint("cost_nano_usd", { mode: "bigint" }).notNull(),
    costSource: text("cost_source").$type<CostSource>().notNull(),
    promptHash: text("prompt_hash"),
    systemHash: text("system_hash"),
    systemTokens: integer("system_tokens"),
    messageCount: integer("message_count"),
    toolCount: integer("tool_count"),
    policyVersion: integer("policy_version"),
    /** The response-cache TTL the caller asked for (x-pitwall-cache-ttl; 0 for no-store), null when none: the replay resolves it as the gateway did. */
    requestedCacheTtlSec: integer("requested_cache_ttl_sec"),
    tags: jsonb("tags").$type<Record<string, string>>().notNull().default({}),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    // Idempotency: a client-chosen id is stored once per project (ON CONFLICT DO NOTHING).
    primaryKey({ columns: [t.projectId, t.id] }),
    // Every dashboard and the events list read "this project, this time range" first.
    index("events_project_ts_idx").on(t.projectId, t.ts.desc()),
    // Model filter and per-model tables over a range.
    index("events_project_model_ts_idx").on(t.projectId, t.model, t.ts),
    // Route filter and the response-cache-by-route page.
    index("events_project_route_ts_idx").on(t.projectId, t.route, t.ts),
    // Retention deletes by age across projects; BRIN stays tiny on append-mostly time data.
    index("events_ts_brin_idx").using("brin", t.ts),
    // The trace view: every call of one trace (GET /api/v1/traces/detail).
    index("events_project_trace_idx")
      .on(t.projectId, t.traceId)
      .where(sql`${t.traceId} is not null`),
    // Repeat detection (how often the same normalized prompt recurs) by the advisor.
    index("events_project_prompt_hash_idx")
      .on(t.projectId, t.promptHash)
      .where(sql`${t.promptHash} is not null`),
  ],
);

export type EventRow = typeof events.$inferSelect;
