import { z } from "zod";
import { AppError } from "../errors";
import { SPAN_ID_HEX, TRACE_ID_HEX, toInt64, toUnixNano, walkSpans, type AttrValue, type DecodedRequest, type SpanResult } from "./otlp-span";
import { SpanError } from "./span-error";

/**
 * OTLP/HTTP JSON (the proto3 JSON mapping): ids are hex, int64 fields come as strings or numbers,
 * enums as integers (or their names). The envelope is checked as a whole; each span on its own,
 * so one bad span is rejected alone.
 */
const Envelope = z.looseObject({
  resourceSpans: z
    .array(
      z.looseObject({
        resource: z.looseObject({ attributes: z.array(z.unknown()).nullish() }).nullish(),
        scopeSpans: z
          .array(
            z.looseObject({
              scope: z.looseObject({ name: z.string().nullish() }).nullish(),
              spans: z.array(z.unknown()).nullish(),
            }),
          )
          .nullish(),
      }),
    )
    .nullish(),
});

const Enum = z.union([z.number().int(), z.string()]);
const Int64 = z.union([z.string(), z.number()]);
const Span = z.looseObject({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().nullish(),
  name: z.string().nullish(),
  kind: Enum.nullish(),
  startTimeUnixNano: Int64.nullish(),
  endTimeUnixNano: Int64.nullish(),
  attributes: z.array(z.unknown()).nullish(),
  status: z.looseObject({ code: Enum.nullish(), message: z.string().nullish() }).nullish(),
});

const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

export function decodeJsonRequest(body: Buffer): DecodedRequest {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    throw new AppError("bad_request:otlp_json", "The body is not valid JSON.");
  }
  const envelope = Envelope.safeParse(json);
  if (!envelope.success) {
    throw new AppError("bad_request:otlp_json", "The body is not an OTLP ExportTraceServiceRequest ({ \"resourceSpans\": [ … ] }).");
  }
  return walkSpans(envelope.data.resourceSpans ?? [], readResource, readSpan);
}

function readResource(resource: { attributes?: unknown[] | null } | null | undefined): Map<string, AttrValue> | string {
  try {
    return readAttributes(resource?.attributes ?? []);
  } catch (err) {
    return err instanceof SpanError ? `resource ${err.message}` : "resource attributes are malformed";
  }
}

function readSpan(raw: unknown, scopeName: string, resource: Map<string, AttrValue>): SpanResult {
  const parsed = Span.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { rejected: `span ${issue?.path.join(".") || "value"}: ${issue?.message ?? "malformed"}`, spanId: null };
  }
  const s = parsed.data;
  const spanId = s.spanId.toLowerCase();
  try {
    const traceId = s.traceId.toLowerCase();
    if (!TRACE_ID_HEX.test(traceId)) throw new SpanError("traceId must be 32 hex characters");
    if (!SPAN_ID_HEX.test(spanId)) throw new SpanError("spanId must be 16 hex characters");
    const parent = s.parentSpanId ? s.parentSpanId.toLowerCase() : null;
    if (parent !== null && !SPAN_ID_HEX.test(parent)) throw new SpanError("parentSpanId must be 16 hex characters or empty");
    const startNs = toUnixNano(s.startTimeUnixNano);
    const endNs = toUnixNano(s.endTimeUnixNano);
    if (startNs === null) throw new SpanError("startTimeUnixNano is not an unsigned 64-bit integer");
    if (endNs === null) throw new SpanError("endTimeUnixNano is not an unsigned 64-bit integer");
    return {
      span: {
        traceId,
        spanId,
        parentSpanId: parent,
        name: s.name ?? "",
        kind: enumValue(s.kind, KIND_NAMES, "kind"),
        startNs,
        endNs,
        statusCode: enumValue(s.status?.code, STATUS_NAMES, "status.code"),
        statusMessage: s.status?.message ?? "",
        attributes: readAttributes(s.attributes ?? []),
        scopeName,
        resource,
      },
    };
  } catch (err) {
    if (err instanceof SpanError) return { rejected: err.message, spanId: SPAN_ID_HEX.test(spanId) ? spanId : null };
    throw err;
  }
}

function enumValue(v: number | string | null | undefined, names: Record<string, number>, field: string): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "number") return v;
  const n = Object.hasOwn(names, v) ? names[v] : undefined;
  if (n === undefined) throw new SpanError(`${field} ${JSON.stringify(v.slice(0, 40))} is not a known value`);
  return n;
}

function readAttributes(list: unknown[]): Map<string, AttrValue> {
  const map = new Map<string, AttrValue>();
  for (const kv of list) {
    if (kv === null || typeof kv !== "object" || typeof (kv as { key?: unknown }).key !== "string") {
      throw new SpanError("attributes must be { key, value } objects");
    }
    const { key, value } = kv as { key: string; value?: unknown };
    map.set(key, readAnyValue(key, value, 0));
  }
  return map;
}

function readAnyValue(key: string, v: unknown, depth: number): AttrValue {
  if (v === null || v === undefined || typeof v !== "object") return null;
  const o = v as Record<string, unknown>;
  if (o.stringValue !== undefined && o.stringValue !== null) {
    if (typeof o.stringValue !== "string") throw new SpanError(`attribute ${quote(key)}: stringValue must be a string`);
    return o.stringValue;
  }
  if (o.intValue !== undefined && o.intValue !== null) {
    const n = toInt64(o.intValue);
    if (n === null) throw new SpanError(`attribute ${quote(key)}: intValue is not a 64-bit integer`);
    return n;
  }
  if (o.doubleValue !== undefined && o.doubleValue !== null) {
    const d = o.doubleValue;
    if (typeof d === "number") return d;
    if (d === "NaN" || d === "Infinity" || d === "-Infinity") return Number(d);
    throw new SpanError(`attribute ${quote(key)}: doubleValue must be a number`);
  }
  if (o.boolValue !== undefined && o.boolValue !== null) {
    if (typeof o.boolValue !== "boolean") throw new SpanError(`attribute ${quote(key)}: boolValue must be a boolean`);
    return o.boolValue;
  }
  const arr = o.arrayValue as { values?: unknown } | null | undefined;
  if (arr && typeof arr === "object") {
    // Only flat arrays (finish reasons) are ever read; deeper values are kept as gaps.
    if (depth > 0 || !Array.isArray(arr.values)) return null;
    return arr.values.map((item) => readAnyValue(key, item, depth + 1));
  }
  return null; // kvlistValue, bytesValue: never read by the mapping
}

function quote(key: string): string {
  return JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key);
}
