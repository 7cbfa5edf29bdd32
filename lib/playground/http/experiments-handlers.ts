import { z } from "zod";
import type { Db } from "@/db/client";
import { authenticate, type Caller } from "../../auth/caller";
import { AppError } from "../../errors";
import { json, readJson } from "../../http/web-handler";
import { experimentCsv, experimentJson } from "../export";
import { completeRun, createRun, getCallsByIds, getExperiment, listExperiments } from "../experiments";
import { parseRunStart, RUN_BODY_MAX_BYTES } from "../run-start";

/** Run bodies carry the prompt: a 200 KB prompt fits, a multi-megabyte one is a 413. */
export { RUN_BODY_MAX_BYTES };

type UserCaller = Extract<Caller, { kind: "user" }>;

/** Viewers read experiments; editors and admins run them. Keys are refused: this is the operator's page. */
async function playgroundCaller(db: Db, req: Request, role: "viewer" | "editor"): Promise<UserCaller> {
  const projectSlug = new URL(req.url).searchParams.get("project");
  const caller = await authenticate(db, req, { role, projectSlug });
  if (caller.kind !== "user") throw new AppError("forbidden:api_key", "The playground is for signed-in operators, not API keys.");
  return caller;
}

/** POST /api/v1/playground/runs: a new experiment's first run, or (experimentId) a rerun appended to it. */
export async function postRun(db: Db, req: Request): Promise<Response> {
  const caller = await playgroundCaller(db, req, "editor");
  const start = parseRunStart(await readJson(req, RUN_BODY_MAX_BYTES));
  const result = await createRun(db, { projectId: caller.projectId, ...start, createdBy: caller.email });
  return json(result, { status: 201 });
}

const CompleteBody = z.object({ experimentId: z.string().min(1).max(64), runId: z.string().min(1).max(64), expected: z.number().int().min(0).max(10_000) });

/** POST /api/v1/playground/runs/complete: the run's calls as recorded, its summary and verdict, saved on the run. */
export async function postRunComplete(db: Db, req: Request): Promise<Response> {
  const caller = await playgroundCaller(db, req, "editor");
  const body = CompleteBody.safeParse(await readJson(req));
  if (!body.success) throw new AppError("bad_request:body", "Send {experimentId, runId, expected}.");
  return json(await completeRun(db, { projectId: caller.projectId, ...body.data }));
}

/** GET /api/v1/playground/experiments: the list page. */
export async function getExperimentList(db: Db, req: Request): Promise<Response> {
  const caller = await playgroundCaller(db, req, "viewer");
  return json({ experiments: await listExperiments(db, caller.projectId) });
}

export type ExperimentContext = { params: Promise<{ id: string }> };

/** GET /api/v1/playground/experiments/<id>: configuration and every run; 404 for another project's. */
export async function getExperimentDetail(db: Db, req: Request, ctx: ExperimentContext): Promise<Response> {
  const caller = await playgroundCaller(db, req, "viewer");
  const { id } = await ctx.params;
  return json(await getExperiment(db, caller.projectId, id));
}

/** GET /api/v1/playground/experiments/<id>/export?format=json|csv: every run and call. */
export async function getExperimentExport(db: Db, req: Request, ctx: ExperimentContext): Promise<Response> {
  const caller = await playgroundCaller(db, req, "viewer");
  const { id } = await ctx.params;
  const format = new URL(req.url).searchParams.get("format") ?? "json";
  if (format !== "json" && format !== "csv") throw new AppError("bad_request:format", "format is json or csv.");
  const data = await getExperiment(db, caller.projectId, id);
  const body = format === "json" ? experimentJson(data) : experimentCsv(data);
  return new Response(body, {
    headers: {
      "content-type": format === "json" ? "application/json; charset=utf-8" : "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="pitwall-${id}.${format}"`,
      "cache-control": "no-store",
    },
  });
}

/** GET /api/v1/playground/calls?ids=a,b: recorded figures of playground calls (a pane's final numbers). */
export async function getCalls(db: Db, req: Request): Promise<Response> {
  const caller = await playgroundCaller(db, req, "viewer");
  const ids = (new URL(req.url).searchParams.get("ids") ?? "").split(",").filter(Boolean);
  if (ids.length > 400) throw new AppError("bad_request:ids", "At most 400 ids.");
  return json({ calls: await getCallsByIds(db, caller.projectId, ids) });
}
