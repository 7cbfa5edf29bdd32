import type { IncomingHttpHeaders } from "node:http";
import { INGEST_LIMITS as L } from "../ingestion/limits";
import { GatewayError } from "./anthropic-error";

export type TraceHint = { traceId: string | null; parentId: string | null };

/** An id Pitwall stores as a trace or parent id: the SDK's hex ids, OTel ids, UUIDs, `t-42`. */
const PITWALL_ID = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,${L.maxIdLength - 1}}$`);
/** W3C Trace Context: version-traceid-parentid-flags, lowercase hex only. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

function bad(message: string): GatewayError {
  return new GatewayError(400, "invalid_request_error", message);
}

function one(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function pitwallId(raw: string, header: string): string {
  if (!PITWALL_ID.test(raw)) {
    throw bad(`${header} must be 1-${L.maxIdLength} characters of letters, digits and . _ : - (starting with a letter or digit).`);
  }
  return raw;
}

/**
 * `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header). Version 00 is exactly
 * four fields; a later version may append fields, which are ignored as the spec asks. The parent
 * is stored as `<traceId>-<spanId>`, the id OTLP ingestion gives that span, so a gateway call sits
 * under the span of an OpenTelemetry-instrumented caller in the trace view.
 */
export function parseTraceparent(raw: string): TraceHint {
  const m = TRACEPARENT.exec(raw);
  const fail = () => bad("traceparent must be a W3C trace context: 00-<32 lowercase hex trace id>-<16 lowercase hex parent id>-<2 hex flags>.");
  if (!m) throw fail();
  const [, version, traceId, spanId, , rest] = m;
  if (version === "ff" || (version === "00" && rest !== undefined)) throw fail();
  if (traceId === ZERO_TRACE) throw bad("traceparent trace id must not be all zeros.");
  if (spanId === ZERO_SPAN) throw bad("traceparent parent id must not be all zeros.");
  return { traceId: traceId!, parentId: `${traceId}-${spanId}` };
}

/**
 * The trace an LLM call through the gateway belongs to. `x-pitwall-trace-id` (+ optional
 * `x-pitwall-parent-id`, the event id of the enclosing tool span) carry the Pitwall SDK's ids as
 * they are; `traceparent` carries an OpenTelemetry caller's. When both are sent the Pitwall pair
 * wins: an app using the SDK under HTTP auto-instrumentation sends both, and the SDK's ids are the
 * ones its tool spans were recorded under. A malformed value is a 400 before the upstream is
 * called, like every other x-pitwall header: a call filed under a wrong trace is worse than none.
 */
export function parseTraceHeaders(headers: IncomingHttpHeaders): TraceHint {
  const traceRaw = one(headers, "x-pitwall-trace-id")?.trim();
  const parentRaw = one(headers, "x-pitwall-parent-id")?.trim();
  const traceparentRaw = one(headers, "traceparent")?.trim();
  // Validated even when the Pitwall pair overrides it: a broken header is a client bug to report.
  const fromW3c = traceparentRaw ? parseTraceparent(traceparentRaw) : null;
  if (traceRaw) {
    return { traceId: pitwallId(traceRaw, "x-pitwall-trace-id"), parentId: parentRaw ? pitwallId(parentRaw, "x-pitwall-parent-id") : null };
  }
  if (parentRaw) throw bad("x-pitwall-parent-id needs x-pitwall-trace-id: a parent belongs to a trace.");
  return fromW3c ?? { traceId: null, parentId: null };
}
