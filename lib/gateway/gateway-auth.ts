import type { IncomingMessage } from "node:http";
import type { Db } from "@/db/client";
import { verifyApiKey } from "../auth/api-keys";
import { hotPathClientIp } from "../auth/auth-failure-limit";
import { extractApiKey } from "../auth/extract-api-key";
import { enforceKeyRateLimit } from "../auth/rate-limit";
import { AppError } from "../errors";
import { log } from "../log";
import { requireKeyHeader } from "./parse-request";

/** How long a key verified before a database outage keeps working during it. */
const OUTAGE_GRACE_MS = 5 * 60_000;
const MAX_REMEMBERED = 10_000;
const verified = new Map<string, { projectId: string; keyId: string; at: number }>();
let lastWarnAt = 0;

/**
 * Authenticates a gateway call by its project key (scope "gateway") and applies the key's rate
 * limit, as the ingestion hot path does (the key-only half of `authenticate`, without building a
 * Headers object per call). Agents must not stop when Postgres restarts: if the key lookup fails
 * for lack of a database, a key this process verified within the last few minutes is still
 * accepted (its revocation cannot be checked until the database is back). A definite answer
 * (unknown, revoked, wrong scope, over the limit) is never overridden.
 */
export async function authenticateGatewayCall(db: Db, req: IncomingMessage): Promise<{ projectId: string; keyId: string }> {
  requireKeyHeader(req.headers);
  const secret = extractApiKey(req.headers, req.url);
  let key: { keyId: string; projectId: string };
  try {
    key = await verifyApiKey(db, secret, "gateway", { clientIp: hotPathClientIp(req) });
  } catch (err) {
    if (err instanceof AppError && err.type !== "unavailable" && err.type !== "internal") throw err;
    const known = verified.get(secret);
    if (!known || Date.now() - known.at > OUTAGE_GRACE_MS) throw err;
    if (Date.now() - lastWarnAt > 10_000) {
      lastWarnAt = Date.now();
      log.warn({ err }, "gateway: key lookup failed; accepting keys verified in the last minutes");
    }
    return { projectId: known.projectId, keyId: known.keyId };
  }
  remember(secret, key);
  await enforceKeyRateLimit(db, key);
  return { projectId: key.projectId, keyId: key.keyId };
}

function remember(secret: string, key: { projectId: string; keyId: string }): void {
  if (verified.size >= MAX_REMEMBERED && !verified.has(secret)) verified.clear();
  verified.set(secret, { projectId: key.projectId, keyId: key.keyId, at: Date.now() });
}
