import type { Db } from "@/db/client";
import { authenticate } from "../../auth/caller";
import { AppError } from "../../errors";
import { json, readJson } from "../../http/web-handler";
import { getRecomputeJob, listRecomputeJobs, startRecompute } from "../recompute-costs";
import { RecomputeBody, refuseNulInQuery } from "../schemas";

const slugOf = (req: Request) => {
  const query = new URL(req.url).searchParams;
  refuseNulInQuery(query);
  return query.get("project");
};

/** POST /api/v1/prices/recompute {from,to}: editors start a recomputation of stored costs (202). */
export async function handleStartRecompute(db: Db, req: Request): Promise<Response> {
  const caller = await authenticate(db, req, { role: "editor", projectSlug: slugOf(req) });
  const parsed = RecomputeBody.safeParse(await readJson(req));
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    throw new AppError("bad_request:recompute", `Invalid range: ${message}.`);
  }
  const job = await startRecompute(
    db,
    caller.projectId,
    { from: new Date(parsed.data.from), to: new Date(parsed.data.to) },
    caller.kind === "user" ? caller.email : undefined,
  );
  return json({ job }, { status: 202 });
}

/** GET /api/v1/prices/recompute[?id=]: one job's progress, or the latest jobs. */
export async function handleRecomputeStatus(db: Db, req: Request): Promise<Response> {
  const caller = await authenticate(db, req, { role: "editor", projectSlug: slugOf(req) });
  const id = new URL(req.url).searchParams.get("id");
  if (id !== null) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError("bad_request:recompute_id", "`id` is a job id (a UUID).");
    return json({ job: await getRecomputeJob(db, caller.projectId, id) });
  }
  return json({ jobs: await listRecomputeJobs(db, caller.projectId) });
}
