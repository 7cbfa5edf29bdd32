import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { log } from "../log";
import { eventWhere, LIST_COLUMNS, toItem, type EventListItem } from "./event-list";
import type { EventListParams } from "./schemas";
import { resolveRange } from "./time-range";

/** Exports stop here; the header X-Pitwall-Export-Limit says so and the UI narrows the range. */
export const MAX_EXPORT_ROWS = 500_000;
const PAGE = 2000;

const COLUMNS: [string, (e: EventListItem) => string | number | boolean | null][] = [
  ["timestamp", (e) => e.ts],
  ["id", (e) => e.id],
  ["kind", (e) => e.kind],
  ["model", (e) => e.model],
  ["route", (e) => e.route],
  ["agent", (e) => e.agent],
  ["session_id", (e) => e.sessionId],
  ["trace_id", (e) => e.traceId],
  ["status", (e) => e.status],
  ["error_type", (e) => e.errorType],
  ["http_status", (e) => e.httpStatus],
  ["latency_ms", (e) => e.latencyMs],
  ["ttft_ms", (e) => e.ttftMs],
  ["streamed", (e) => e.streamed],
  ["input_tokens", (e) => e.inputTokens],
  ["output_tokens", (e) => e.outputTokens],
  ["cache_read_tokens", (e) => e.cacheReadTokens],
  ["cache_write_5m_tokens", (e) => e.cacheWrite5mTokens],
  ["cache_write_1h_tokens", (e) => e.cacheWrite1hTokens],
  ["response_cache", (e) => e.responseCache],
  ["cost_usd", (e) => e.costUsdExact],
  ["cost_source", (e) => e.costSource],
];

/**
 * One CSV field. Text that a spreadsheet would run as a formula (= + - @, tab, CR) gets a leading
 * apostrophe; anything with a comma, quote or line break is quoted.
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  if (typeof value !== "string") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(e: EventListItem): string {
  return `${COLUMNS.map(([, get]) => csvField(get(e))).join(",")}\r\n`;
}

export const CSV_HEADER = `${COLUMNS.map(([name]) => name).join(",")}\r\n`;

/** Streams the filtered list as CSV, newest first, page by page along the keyset. */
export function exportEventsCsv(db: Db, projectId: string, p: EventListParams, nowMs = Date.now()): ReadableStream<Uint8Array> {
  const range = resolveRange(p, nowMs);
  const encoder = new TextEncoder();
  let cursor: { ts: string; id: string } | undefined;
  let sent = 0;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(CSV_HEADER));
          return;
        }
        const limit = Math.min(PAGE, MAX_EXPORT_ROWS - sent);
        const rows =
          limit <= 0
            ? []
            : rowsOf<Record<string, unknown>>(
                await db.execute(sql`
                  select ${LIST_COLUMNS} from events where ${eventWhere(projectId, p, range, cursor)}
                  order by ts desc, id desc limit ${limit}
                `),
              );
        if (rows.length === 0) {
          controller.close();
          return;
        }
        const items = rows.map(toItem);
        sent += items.length;
        const last = items[items.length - 1]!;
        cursor = { ts: last.ts, id: last.id };
        controller.enqueue(encoder.encode(items.map(csvLine).join("")));
        if (rows.length < limit) controller.close();
      } catch (err) {
        log.error({ err }, "csv export failed");
        controller.error(err);
      }
    },
  });
}
