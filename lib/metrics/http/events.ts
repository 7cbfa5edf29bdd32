import type { Db } from "@/db/client";
import { json } from "../../http/web-handler";
import { exportEventsCsv, MAX_EXPORT_ROWS } from "../event-csv";
import { getEvent, listEvents } from "../event-list";
import { EventDetailParams, EventListParams, parseSearch } from "../schemas";
import { metricsReader } from "./query-caller";

/** GET /api/v1/events/list: one keyset page of the filtered events, newest first. */
export async function handleEventList(db: Db, req: Request): Promise<Response> {
  const caller = await metricsReader(db, req);
  const params = parseSearch(EventListParams, new URL(req.url).searchParams);
  return json(await listEvents(db, caller.projectId, params));
}

/** GET /api/v1/events/detail?id=: every stored field of one event. */
export async function handleEventDetail(db: Db, req: Request): Promise<Response> {
  const caller = await metricsReader(db, req);
  const params = parseSearch(EventDetailParams, new URL(req.url).searchParams);
  return json(await getEvent(db, caller.projectId, params.id));
}

/** GET /api/v1/events/export: the filtered list as a streamed CSV download. */
export async function handleEventExport(db: Db, req: Request): Promise<Response> {
  const caller = await metricsReader(db, req);
  const params = parseSearch(EventListParams.omit({ cursor: true, limit: true }), new URL(req.url).searchParams);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return new Response(exportEventsCsv(db, caller.projectId, { ...params, limit: MAX_EXPORT_ROWS }), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="pitwall-events-${stamp}.csv"`,
      "cache-control": "no-store",
      "x-pitwall-export-limit": String(MAX_EXPORT_ROWS),
    },
  });
}
