import type { Db } from "@/db/client";
import { json } from "../../http/web-handler";
import { getSummary } from "../get-summary";
import { parseSearch, SummaryParams } from "../schemas";
import { metricsReader } from "./query-caller";

/** GET /api/v1/metrics/summary?from&to|range[&model][&route][&agent][&status][&kind] */
export async function handleSummary(db: Db, req: Request): Promise<Response> {
  const caller = await metricsReader(db, req);
  const params = parseSearch(SummaryParams, new URL(req.url).searchParams);
  return json(await getSummary(db, caller.projectId, params));
}
