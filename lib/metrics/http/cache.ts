import type { Db } from "@/db/client";
import { json } from "../../http/web-handler";
import { getCacheStats } from "../get-cache-stats";
import { parseSearch, SummaryParams } from "../schemas";
import { metricsReader } from "./query-caller";

/** GET /api/v1/metrics/cache: response cache by route, prompt cache by model, with savings. */
export async function handleCacheStats(db: Db, req: Request): Promise<Response> {
  const caller = await metricsReader(db, req);
  const params = parseSearch(SummaryParams, new URL(req.url).searchParams);
  return json(await getCacheStats(db, caller.projectId, params));
}
