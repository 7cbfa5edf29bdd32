import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "@/db/client";
import { extractApiKey } from "../auth/extract-api-key";
import { verifyApiKey } from "../auth/api-keys";
import { hotPathClientIp } from "../auth/auth-failure-limit";
import { enforceKeyRateLimit } from "../auth/rate-limit";
import { AppError } from "../errors";
import { parseJsonBody, readBody } from "../http/read-body";
import { sendError, sendJson } from "../http/respond";
import { IngestEnvelope } from "./event-schema";
import { ingestBatch } from "./ingest-batch";
import { INGEST_LIMITS } from "./limits";

/**
 * POST /api/v1/events: a plain node:http handler (the hot path skips Next). 200 when all stored,
 * 207 when some events were rejected, 400 when the envelope is bad or every event is rejected.
 */
export function createIngestHandler(getDb: () => Db) {
  return async function handleIngest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method !== "POST") {
        req.resume();
        throw new AppError("bad_request:method", "Use POST.");
      }
      const db = getDb();
      const secret = extractApiKey(req.headers, req.url);
      const key = await verifyApiKey(db, secret, "ingest", { clientIp: hotPathClientIp(req) });
      await enforceKeyRateLimit(db, key);
      const body = await readBody(req, INGEST_LIMITS.maxBodyBytes);
      const json = parseJsonBody(req, body);
      const envelope = IngestEnvelope.safeParse(json);
      if (!envelope.success) {
        throw new AppError("bad_request:envelope", `Expected { "events": [ ... ] } with at most ${INGEST_LIMITS.maxEventsPerBatch} events.`);
      }
      const result = await ingestBatch(db, key.projectId, envelope.data.events);
      const total = envelope.data.events.length;
      const status = result.rejected.length === 0 ? 200 : result.rejected.length === total ? 400 : 207;
      sendJson(res, status, result);
    } catch (err) {
      sendError(res, err, { route: "ingest" }, req);
    }
  };
}
