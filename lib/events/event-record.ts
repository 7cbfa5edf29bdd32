import { getTableColumns } from "drizzle-orm";
import { events, type EventRow } from "@/db/schema";

/**
 * The stored shape of one event on its way to the insert and the rollup queue: the table's row
 * (db/schema/events.ts, the one definition) without what the database fills in, with `ts` as ISO
 * text and the cost as decimal text (JSON has no 64-bit integers).
 */
export type EventRecord = Omit<EventRow, "projectId" | "receivedAt" | "ts" | "costNanoUsd"> & { ts: string; costNanoUsd: string };
export type EventField = keyof EventRecord;

/** The columns the database fills in, not the record. */
const DATABASE_FILLED = new Set(["projectId", "receivedAt"]);

export type EventColumn = { key: EventField; name: string; sqlType: string };

/** Every field of an EventRecord with its column name and SQL type, in table order. */
export const EVENT_RECORD_COLUMNS: readonly EventColumn[] = Object.entries(getTableColumns(events))
  .filter(([key]) => !DATABASE_FILLED.has(key))
  .map(([key, column]) => ({ key: key as EventField, name: column.name, sqlType: column.getSQLType() }));

/** The column name of a field, e.g. `sessionId` -> `session_id`. */
export function eventColumn(field: EventField | "receivedAt"): string {
  return events[field].name;
}
