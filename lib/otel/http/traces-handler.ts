import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "@/db/client";
import { verifyApiKey } from "../../auth/api-keys";
import { hotPathClientIp } from "../../auth/auth-failure-limit";
import { extractApiKey } from "../../auth/extract-api-key";
import { enforceKeyRateLimit } from "../../auth/rate-limit";
import { AppError } from "../../errors";
import { readBody } from "../../http/read-body";
import { sendError, sendJson } from "../../http/respond";
import { otlpLimits } from "../limits";
import { decodeJsonRequest } from "../otlp-json";
import { decodeProtobufRequest, encodeProtobufResponse } from "../otlp-proto";
import { receiveSpans, type ReceiveResult } from "../receive-spans";

/**
 * POST /api/otel/v1/traces: OTLP/HTTP traces, JSON or protobuf, optionally gzipped. Answers as
 * exporters expect: 200 (with partialSuccess when spans were rejected or ignored), 400 for a body
 * that cannot be decoded, 401 for a bad key, 413 over the caps, 415 for other content types and
 * 503 + Retry-After while the database is down (exporters retry that one).
 */
export function createOtlpTracesHandler(getDb: () => Db, limits = otlpLimits()) {
  return async function handleOtlpTraces(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method !== "POST") {
        req.resume();
        throw new AppError("bad_request:method", "Use POST.");
      }
      const db = getDb();
      const key = await verifyApiKey(db, extractApiKey(req.headers, req.url), "ingest", { clientIp: hotPathClientIp(req) });
      await enforceKeyRateLimit(db, key);
      const format = formatOf(req);
      const body = await readBody(req, limits.maxBodyBytes);
      const request = format === "protobuf" ? decodeProtobufRequest(body) : decodeJsonRequest(body);
      if (request.spanCount > limits.maxSpansPerRequest) {
        throw new AppError("payload_too_large:spans", `At most ${limits.maxSpansPerRequest} spans per request; this one has ${request.spanCount}.`);
      }
      const result = await receiveSpans(db, key.projectId, request);
      answer(res, format, result);
    } catch (err) {
      sendError(res, err, { route: "otlp" }, req);
    }
  };
}

function formatOf(req: IncomingMessage): "json" | "protobuf" {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  if (type === "application/json") return "json";
  req.resume();
  throw new AppError("unsupported_media_type:content_type", "Content-Type must be application/x-protobuf or application/json.");
}

function answer(res: ServerResponse, format: "json" | "protobuf", r: ReceiveResult): void {
  // partialSuccess carries rejections, and (with rejectedSpans 0) the ignored-span warning.
  const partial = r.message ? { rejectedSpans: r.rejected, errorMessage: r.message } : null;
  const counts = {
    "x-pitwall-accepted-spans": String(r.accepted),
    "x-pitwall-duplicate-spans": String(r.duplicates),
    "x-pitwall-ignored-spans": String(r.ignored),
    "x-pitwall-rejected-spans": String(r.rejected),
  };
  if (format === "json") {
    sendJson(res, 200, partial ? { partialSuccess: partial } : {}, counts);
    return;
  }
  const payload = encodeProtobufResponse(partial);
  res.writeHead(200, { "content-type": "application/x-protobuf", "content-length": payload.length, "cache-control": "no-store", ...counts });
  res.end(payload);
}
