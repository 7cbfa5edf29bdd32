import type { IncomingMessage, ServerResponse } from "node:http";
import type { DbHandle } from "@/db/client";
import { verifyApiKey } from "./auth/api-keys";
import { hotPathClientIp } from "./auth/auth-failure-limit";
import { headersOf } from "./auth/caller";
import { extractApiKey } from "./auth/extract-api-key";
import { getSessionUser, hasSessionCookie } from "./auth/session";
import { checkHealth } from "./health";
import { sendError, sendJson } from "./http/respond";

/**
 * GET /api/health. Anyone (a load balancer, an uptime probe) gets the liveness answer: 200
 * `{ "status": "ok" }`, or 503 `{ "status": "unavailable" }` when the database does not answer.
 * The details (database kind, uptime, and every figure a component registers: recording counts,
 * calls in flight, upstream kind, rollups...) are for a signed-in user or a key with the
 * `metrics:read` scope; a bad key is a 401, as on every other route.
 */
export function createHealthHandler(handle: DbHandle) {
  return async function handleHealth(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const detailed = await mayReadDetails(handle, req);
      const { status, body } = await checkHealth(handle);
      sendJson(res, status, detailed ? body : { status: body.status });
    } catch (err) {
      sendError(res, err, { route: "health" }, req);
    }
  };
}

async function mayReadDetails(handle: DbHandle, req: IncomingMessage): Promise<boolean> {
  const headers = headersOf(req.headers);
  if (headers.has("authorization") || headers.has("x-api-key")) {
    await verifyApiKey(handle.db, extractApiKey(req.headers, req.url), "metrics:read", { clientIp: hotPathClientIp(req) });
    return true;
  }
  if (!hasSessionCookie(headers)) return false;
  return (await getSessionUser(handle.db, headers).catch(() => null)) !== null;
}
