import type { Db } from "@/db/client";
import { json } from "../../http/web-handler";
import { getTimeseries } from "../get-timeseries";
import { parseSearch, TimeseriesParams } from "../schemas";
import { metricsReader } from "./query-caller";

/** GET /api/v1/metrics/timeseries?metric&from&to|range[&bucket][&groupBy][&limit] + summary filters */
export async function handleTimeseries(db: Db, req: Request): Promise<Response> {
  const caller = await metricsReader(db, req);
  const params = parseSearch(TimeseriesParams, new URL(req.url).searchParams);
  return json(await getTimeseries(db, caller.projectId, params));
}
