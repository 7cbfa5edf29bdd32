/**
 * The event's enumerations, spelled once. The table (db/schema/events.ts), the ingest schema,
 * the metrics filters and the pages' URL state all take their values from here. Pure: safe in
 * the browser.
 */

/**
 * An LLM call, an agent's tool call, or a token count (`POST /v1/messages/count_tokens` through
 * the gateway): recorded so every gateway call has its event, but free and not a model call, so
 * dashboards (which read kind "llm" unless asked) count it neither as a request nor as spend.
 */
export const EVENT_KINDS = ["llm", "tool", "count_tokens"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const EVENT_STATUSES = ["ok", "error", "aborted"] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** What the gateway's response cache did for the call ("none": no cache in the path). */
export const RESPONSE_CACHE_STATUSES = ["hit", "miss", "bypass", "none"] as const;
export type ResponseCacheStatus = (typeof RESPONSE_CACHE_STATUSES)[number];

/** "computed" from model_prices, "client" when the sender gave costUsd, "unpriced" for unknown models. */
export const COST_SOURCES = ["computed", "client", "unpriced"] as const;
export type CostSource = (typeof COST_SOURCES)[number];
