import type { Db } from "@/db/client";
import { json } from "../../http/web-handler";
import { getDimensions } from "../get-dimensions";
import { parseSearch, SummaryParams } from "../schemas";
import { metricsReader } from "./query-caller";

/** GET /api/v1/metrics/dimensions?range|from&to: models, routes and agents seen, for filter menus. */
export async function handleDimensions(db: Db, req: Request): Promise<Response> {
  const caller = await metricsReader(db, req);
  const params = parseSearch(SummaryParams, new URL(req.url).searchParams);
  return json(await getDimensions(db, caller.projectId, params));
}
