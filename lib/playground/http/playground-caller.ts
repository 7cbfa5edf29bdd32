import type { IncomingMessage } from "node:http";
import type { Db } from "@/db/client";
import { authenticate } from "../../auth/caller";
import { AppError } from "../../errors";

/** The operator behind a playground call: a signed-in editor or admin of `?project=` (same-origin). */
export async function playgroundOperator(db: Db, req: IncomingMessage): Promise<{ projectId: string; email: string }> {
  if (req.method !== "POST") throw new AppError("bad_request:method", "Use POST.");
  const url = new URL(req.url ?? "/", "http://localhost");
  const caller = await authenticate(db, req, { role: "editor", projectSlug: url.searchParams.get("project") });
  if (caller.kind !== "user") throw new AppError("forbidden:api_key", "The playground runs for a signed-in operator, not an API key.");
  return { projectId: caller.projectId, email: caller.email };
}
