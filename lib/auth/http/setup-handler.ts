import type { Db } from "@/db/client";
import { assertSameOrigin } from "../origin-check";
import { clientIp } from "../request-origin";
import { SetupBody } from "../schemas";
import { assertSetupAllowed, removeSetupTokenFile } from "../setup-token";
import { needsSetup, setupDone, setupFirstAdmin } from "../setup";
import { signInCookies } from "./auth-handler";
import { jsonWithCookies, parseBody } from "./parse";

/**
 * POST /api/v1/setup: creates the first admin and signs them in. It exists only until the first
 * account does. The caller must hold the setup token the server printed at start (or, with
 * PITWALL_SETUP_ACCESS=loopback, call from this machine); a cross-origin page is refused too.
 */
export async function postSetup(db: Db, req: Request): Promise<Response> {
  assertSameOrigin(req.headers, req.url);
  if (!(await needsSetup(db))) throw setupDone();
  const body = await parseBody(req, SetupBody);
  assertSetupAllowed({ token: body.setupToken, clientIp: clientIp(req.headers) });
  const result = await setupFirstAdmin(db, body);
  removeSetupTokenFile();
  const cookies = await signInCookies(db, req, body.email, body.password);
  return jsonWithCookies({ email: result.email, projects: result.projectSlugs, redirectTo: `/p/${result.projectSlugs[0]}/overview` }, 201, cookies);
}
