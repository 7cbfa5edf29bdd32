import { z } from "zod";
import type { Db } from "@/db/client";
import { authenticate } from "../../auth/caller";
import { projectParam } from "../../auth/http/parse";
import { AppError } from "../../errors";
import { json, readJson } from "../../http/web-handler";
import { actor } from "../../policies/http/policy-http";
import { getActivePolicies } from "../../policies/active-policies";
import { getPriceBook } from "../../pricing/price-queries";
import { Finding } from "../finding-schema";
import { applyPhase, ApplyPhaseBody, getPrediction } from "../plan-apply";
import { projectPlan } from "../plan-project";
import { advisorWindow } from "./advisor-window";
import { progressStream, wantsProgress } from "./progress-stream";
import type { LoadTraffic } from "./replay-handler";
import { helperOf } from "./helper-of";

function bad(error: z.ZodError): AppError {
  const issues = error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  return new AppError("bad_request:body", `Invalid request body: ${issues[0]?.path ? `${issues[0].path}: ` : ""}${issues[0]?.message ?? ""}`, { details: { issues } });
}

/**
 * POST /api/v1/advisor/plan/apply?project=slug: "Apply phase". Editors only (a viewer gets 403):
 * saves the phase's document as a draft version with its prediction, never live. The answer
 * names the version and the editor link that opens it.
 */
export async function postApplyPhase(db: Db, req: Request): Promise<Response> {
  const slug = projectParam(req);
  const caller = await authenticate(db, req, { role: "editor", projectSlug: slug });
  const body = ApplyPhaseBody.safeParse(await readJson(req, 2 * 1024 * 1024));
  if (!body.success) throw bad(body.error);
  const saved = await applyPhase(db, { projectId: caller.projectId, slug: slug ?? "", actor: actor(caller), body: body.data });
  const editorUrl = `/p/${encodeURIComponent(slug ?? "")}/policies?kind=${saved.kind}&draft=${saved.version}`;
  return json({ kind: saved.kind, version: saved.version, comment: saved.comment, live: false, editorUrl }, { status: 201 });
}

const PredictionQuery = z.object({ kind: z.enum(["routing", "cache"]), version: z.coerce.number().int().min(1).max(2_147_483_647) });

/** GET /api/v1/advisor/predictions?project=slug&kind=&version=: what the advisor predicted for a version (change markers). */
export async function getVersionPrediction(db: Db, req: Request): Promise<Response> {
  const caller = await authenticate(db, req, { scope: "metrics:read", role: "viewer", projectSlug: projectParam(req) });
  const params = new URL(req.url).searchParams;
  const q = PredictionQuery.safeParse({ kind: params.get("kind"), version: params.get("version") });
  if (!q.success) throw bad(q.error);
  const prediction = await getPrediction(db, { projectId: caller.projectId, ...q.data });
  return json({ kind: q.data.kind, version: q.data.version, prediction: prediction ? { ...prediction, createdAt: prediction.createdAt.toISOString() } : null });
}

const PlanBody = z.strictObject({ findings: z.array(Finding).max(500) });

/**
 * POST /api/v1/advisor/plan?project=slug&from=&to= { findings }: the phased plan for the findings
 * GET /api/v1/advisor/findings answered, with cumulative projections replayed over the same
 * window. Reads only. NDJSON progress as for the replay.
 */
export async function postPlan(db: Db, req: Request, deps: { loadTraffic: LoadTraffic }): Promise<Response> {
  const caller = await authenticate(db, req, { scope: "metrics:read", role: "viewer", projectSlug: projectParam(req) });
  const window = advisorWindow(req);
  const body = PlanBody.safeParse(await readJson(req, 4 * 1024 * 1024));
  if (!body.success) throw bad(body.error);
  const signal = req.signal;
  const run = async (onProgress: (stage: string, fraction: number) => void) => {
    onProgress("loading", 0);
    const [live, prices, traffic] = await Promise.all([getActivePolicies(db, caller.projectId), getPriceBook(db, caller.projectId), deps.loadTraffic(db, { projectId: caller.projectId, ...window, signal })]);
    onProgress("projecting", 0);
    return projectPlan({ traffic, findings: body.data.findings, live: { routing: live.routing, cache: live.cache }, prices, signal, ...helperOf(), onProgress: (f) => onProgress("projecting", f) });
  };
  if (wantsProgress(req)) return progressStream(run, signal);
  return json(await run(() => {}));
}
