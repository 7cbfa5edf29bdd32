import type { Db } from "@/db/client";
import { json } from "../../http/web-handler";
import { metricsReader } from "../../metrics/http/query-caller";
import { parseSearch } from "../../metrics/schemas";
import { SessionListParams, TraceDetailParams } from "../schemas";
import { getTrace, listSessions } from "../trace-queries";

/** GET /api/v1/traces/detail?traceId=: a trace's calls as a waterfall with its hints. */
export async function handleTraceDetail(db: Db, req: Request): Promise<Response> {
  const caller = await metricsReader(db, req);
  const params = parseSearch(TraceDetailParams, new URL(req.url).searchParams);
  return json(await getTrace(db, caller.projectId, params.traceId));
}

/** GET /api/v1/sessions: sessions active in the range with calls, tokens, cost and growth by turn. */
export async function handleSessionList(db: Db, req: Request): Promise<Response> {
  const caller = await metricsReader(db, req);
  const params = parseSearch(SessionListParams, new URL(req.url).searchParams);
  return json(await listSessions(db, caller.projectId, params));
}
