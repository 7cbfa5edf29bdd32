import type { Db } from "@/db/client";
import { authenticate, type Caller } from "../../auth/caller";

/**
 * Every metrics read: a project key with metrics:read, or a signed-in viewer of the project named
 * by `?project=<slug>`. Queries then use caller.projectId only.
 */
export function metricsReader(db: Db, req: Request): Promise<Caller> {
  const projectSlug = new URL(req.url).searchParams.get("project");
  return authenticate(db, req, { scope: "metrics:read", role: "viewer", projectSlug });
}
