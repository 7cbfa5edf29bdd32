import type { Db } from "@/db/client";
import { authenticate, type Caller } from "../../auth/caller";
import { refuseNulInQuery } from "../schemas";

/**
 * Every metrics read: a project key with metrics:read, or a signed-in viewer of the project named
 * by `?project=<slug>`. Queries then use caller.projectId only.
 */
export function metricsReader(db: Db, req: Request): Promise<Caller> {
  const query = new URL(req.url).searchParams;
  refuseNulInQuery(query);
  const projectSlug = query.get("project");
  return authenticate(db, req, { scope: "metrics:read", role: "viewer", projectSlug });
}
