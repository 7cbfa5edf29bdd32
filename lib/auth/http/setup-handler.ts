import type { Db } from "@/db/client";
import { assertSameOrigin } from "../origin-check";
import { SetupBody } from "../schemas";
import { needsSetup, setupDone, setupFirstAdmin } from "../setup";
import { signInCookies } from "./auth-handler";
import { jsonWithCookies, parseBody } from "./parse";

/**
 * POST /api/v1/setup: creates the first admin and signs them in. It exists only until the first
 * account does; a cross-origin page cannot use it to claim a fresh install.
 */
export async function postSetup(db: Db, req: Request): Promise<Response> {
  assertSameOrigin(req.headers, req.url);
  if (!(await needsSetup(db))) throw setupDone();
  const body = await parseBody(req, SetupBody);
  const result = await setupFirstAdmin(db, body);
  const cookies = await signInCookies(db, req, body.email, body.password);
  return jsonWithCookies({ email: result.email, projects: result.projectSlugs, redirectTo: `/p/${result.projectSlugs[0]}/overview` }, 201, cookies);
}
