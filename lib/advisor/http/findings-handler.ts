import type { Db } from "@/db/client";
import { authenticate } from "../../auth/caller";
import { projectParam } from "../../auth/http/parse";
import { json } from "../../http/web-handler";
import { getPriceBook } from "../../pricing/price-queries";
import type { FindingsAnswer } from "../finding-schema";
import { analyzeFindings } from "../findings/analyze-findings";
import { advisorWindow } from "./advisor-window";
import type { LoadTraffic } from "./replay-handler";

/**
 * GET /api/v1/advisor/findings?project=slug&from=&to=: the window's findings per route and agent,
 * ranked by $ per day saved, and the routes skipped for too few requests. Viewers may read it
 * (session or a key with metrics:read). Closing the request stops the load and the analysis.
 */
export async function getFindings(db: Db, req: Request, deps: { loadTraffic: LoadTraffic }): Promise<Response> {
  const slug = projectParam(req);
  const caller = await authenticate(db, req, { scope: "metrics:read", role: "viewer", projectSlug: slug });
  const window = advisorWindow(req);
  const [prices, traffic] = await Promise.all([getPriceBook(db, caller.projectId), deps.loadTraffic(db, { projectId: caller.projectId, ...window, signal: req.signal })]);
  const answer: FindingsAnswer = analyzeFindings(traffic, { prices, projectSlug: slug ?? "", signal: req.signal });
  return json(answer);
}
