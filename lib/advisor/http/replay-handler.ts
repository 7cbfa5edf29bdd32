import type { Db } from "@/db/client";
import { authenticate } from "../../auth/caller";
import { projectParam } from "../../auth/http/parse";
import { AppError } from "../../errors";
import { json, readJson } from "../../http/web-handler";
import { getActivePolicies } from "../../policies/active-policies";
import { getPriceBook } from "../../pricing/price-queries";
import { parseCandidate, ReplayBody } from "../replay/replay-request";
import { runReplay } from "../replay/run-replay";
import type { Traffic } from "../traffic";
import type { LoadTrafficParams } from "../traffic-load";
import { advisorWindow } from "./advisor-window";
import { progressStream, wantsProgress } from "./progress-stream";
import { helperOf } from "./helper-of";

export type LoadTraffic = (db: Db, params: LoadTrafficParams) => Promise<Traffic>;

/**
 * POST /api/v1/advisor/replay?project=slug&from=&to= { routing?, cache?, code? }: the window
 * replayed under the candidate (absent documents: the live ones), per route and overall, next to
 * the backtest of the live policy and its error. Viewers may run it: it writes nothing. With
 * `accept: application/x-ndjson` the answer streams progress lines before the result; closing
 * the request stops the work (the loader and the replay watch the request's signal).
 */
export async function postReplay(db: Db, req: Request, deps: { loadTraffic: LoadTraffic }): Promise<Response> {
  const caller = await authenticate(db, req, { scope: "metrics:read", role: "viewer", projectSlug: projectParam(req) });
  const window = advisorWindow(req);
  const body = ReplayBody.safeParse(await readJson(req, 2 * 1024 * 1024));
  if (!body.success) {
    const first = body.error.issues[0]!;
    throw new AppError("bad_request:body", `Invalid request body: ${first.path.join(".") || "body"}: ${first.message}`, { details: { issues: body.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) } });
  }
  const candidate = parseCandidate(body.data);
  const signal = req.signal;
  const run = async (onProgress: (stage: string, fraction: number) => void) => {
    onProgress("loading", 0);
    const [live, prices, traffic] = await Promise.all([getActivePolicies(db, caller.projectId), getPriceBook(db, caller.projectId), deps.loadTraffic(db, { projectId: caller.projectId, ...window, signal })]);
    onProgress("replaying", 0);
    const policies = { routing: live.routing, cache: live.cache };
    return runReplay({
      traffic,
      live: policies,
      candidate: { routing: candidate.routing ?? live.routing, cache: candidate.cache ?? live.cache },
      ...(body.data.code ? { code: body.data.code } : {}),
      prices,
      signal,
      ...helperOf(),
      onProgress: (f) => onProgress("replaying", f),
    });
  };
  if (wantsProgress(req)) return progressStream(run, signal);
  return json(await run(() => {}));
}
