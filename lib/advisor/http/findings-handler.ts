import type { Db } from "@/db/client";
import { authenticate } from "../../auth/caller";
import { projectParam } from "../../auth/http/parse";
import { json } from "../../http/web-handler";
import { getActivePolicies } from "../../policies/active-policies";
import { getPriceBook } from "../../pricing/price-queries";
import type { FindingsAnswer } from "../finding-schema";
import { analyzeFindingsInSteps } from "../findings/analyze-findings";
import { advisorWindow } from "./advisor-window";
import { progressStream, wantsProgress } from "./progress-stream";
import type { LoadTraffic } from "./replay-handler";
import { helperOf } from "./helper-of";

/**
 * GET /api/v1/advisor/findings?project=slug&from=&to=: the window's findings per route and agent,
 * ranked by $ per day saved, and the routes skipped for too few requests. Viewers may read it
 * (session or a key with metrics:read). With `accept: application/x-ndjson` the answer streams
 * progress lines ("loading" with the share of calls read, then "analysing <kind>") before the
 * same answer as a `result` line. Closing the request stops the load and the analysis; it reads
 * only, so nothing is left half-written.
 */
export async function getFindings(db: Db, req: Request, deps: { loadTraffic: LoadTraffic }): Promise<Response> {
  const slug = projectParam(req);
  const caller = await authenticate(db, req, { scope: "metrics:read", role: "viewer", projectSlug: slug });
  const window = advisorWindow(req);
  const signal = req.signal;
  const run = async (onProgress: (stage: string, fraction: number) => void): Promise<FindingsAnswer> => {
    onProgress("loading", 0);
    const [live, prices, traffic] = await Promise.all([
      getActivePolicies(db, caller.projectId),
      getPriceBook(db, caller.projectId),
      deps.loadTraffic(db, { projectId: caller.projectId, ...window, signal, onProgress: (f) => onProgress("loading", f) }),
    ]);
    return analyzeFindingsInSteps(traffic, { prices, projectSlug: slug ?? "", liveCache: live.cache, signal, ...helperOf(), onProgress: (kind, f) => onProgress(`analysing ${kind}`, f) });
  };
  if (wantsProgress(req)) return progressStream(run, signal);
  return json(await run(() => {}));
}
