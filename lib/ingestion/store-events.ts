import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { EVENT_RECORD_COLUMNS, type EventRecord } from "../events/event-record";

/**
 * Inserts a batch with ONE set-based statement: the batch travels as a single json parameter and
 * json_to_recordset turns it into rows (the same plan on postgres.js and PGlite, one round trip).
 * json, not jsonb: the text is parsed once, as each field is read with its column's type, instead
 * of first into a jsonb tree that is then read back (~10% of Postgres's CPU per insert). The rows
 * are the same: numbers go from their JSON text to the column type either way, and the jsonb
 * columns (tags, metadata) are built from their JSON text by jsonb's own input.
 * ON CONFLICT makes re-sent ids no-ops; RETURNING tells which rows are new, so callers (rollups)
 * only ever count an event once.
 */
// Built once from the table (db/schema/events.ts): the insert names every column a record fills,
// and json_to_recordset reads each field with its column's SQL type.
const INSERT_COLUMNS = sql.raw(["project_id", ...EVENT_RECORD_COLUMNS.map((c) => c.name)].join(", "));
const SELECT_FIELDS = sql.raw(
  EVENT_RECORD_COLUMNS.map((c) => (c.sqlType === "jsonb" ? `coalesce(r."${c.key}", '{}'::jsonb)` : `r."${c.key}"`)).join(", "),
);
const RECORD_TYPES = sql.raw(EVENT_RECORD_COLUMNS.map((c) => `"${c.key}" ${c.sqlType}`).join(", "));

/**
 * `alsoIfAllNew(allNew)` may add a statement to the same one: an INSERT ... SELECT ... WHERE
 * `allNew` (true when every record was stored), run as a data-modifying CTE. The ingest batch
 * queues its rollup row this way (one statement, two fewer round trips per batch); when some
 * records were repeats, it takes no effect and the caller does it for the stored ones.
 */
export async function storeEvents(
  db: DbOrTx,
  projectId: string,
  records: EventRecord[],
  alsoIfAllNew?: (allNew: SQL) => SQL | null,
): Promise<string[]> {
  if (records.length === 0) return [];
  const also = alsoIfAllNew?.(sql`(select count(*) from stored) = ${records.length}`);
  const result = await db.execute(sql`
    with stored as (
      insert into events (${INSERT_COLUMNS})
      select ${projectId}::uuid, ${SELECT_FIELDS}
      from json_to_recordset(${JSON.stringify(records)}::json) as r(${RECORD_TYPES})
      on conflict (project_id, id) do nothing
      returning id
    )${also ? sql`, also as (${also})` : sql``}
    select id from stored
  `);
  return rowsOf<{ id: string }>(result).map((r) => r.id);
}
