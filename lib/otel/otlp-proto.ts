import { createRequire } from "node:module";
import { AppError } from "../errors";
import { toInt64, toUnixNano, walkSpans, type AttrValue, type DecodedRequest, type SpanResult } from "./otlp-span";
import { SpanError } from "./span-error";

/**
 * OTLP/HTTP protobuf. Decoding uses the protobufjs code that @opentelemetry/otlp-transformer 0.57
 * generated from the official opentelemetry-proto definitions (its last release that ships it):
 * no hand-written wire format here. The decoded objects are typed below by the fields we read.
 */
type Long = { low: number; high: number; unsigned?: boolean };
type PbAnyValue = {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Long | number | null;
  doubleValue?: number | null;
  arrayValue?: { values?: PbAnyValue[] | null } | null;
};
type PbKeyValue = { key?: string | null; value?: PbAnyValue | null };
type PbSpan = {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  parentSpanId?: Uint8Array | null;
  name?: string | null;
  kind?: number | null;
  startTimeUnixNano?: Long | number | null;
  endTimeUnixNano?: Long | number | null;
  attributes?: PbKeyValue[] | null;
  status?: { code?: number | null; message?: string | null } | null;
};
type PbRequest = {
  resourceSpans?: {
    resource?: { attributes?: PbKeyValue[] | null } | null;
    scopeSpans?: { scope?: { name?: string | null } | null; spans?: PbSpan[] | null }[] | null;
  }[] | null;
};
type MessageType<T> = { decode(buf: Uint8Array): T; encode(msg: unknown): { finish(): Uint8Array } };
type TraceServiceV1 = { ExportTraceServiceRequest: MessageType<PbRequest>; ExportTraceServiceResponse: MessageType<unknown> };

const root = createRequire(import.meta.url)("@opentelemetry/otlp-transformer/build/src/generated/root.js") as {
  opentelemetry: { proto: { collector: { trace: { v1: TraceServiceV1 } } } };
};
const service = root.opentelemetry.proto.collector.trace.v1;

export function decodeProtobufRequest(body: Buffer): DecodedRequest {
  let message: PbRequest;
  try {
    message = service.ExportTraceServiceRequest.decode(body);
  } catch {
    // Truncated fields, bad wire types, nesting past the stack: all the same to the sender.
    throw new AppError("bad_request:otlp_protobuf", "The body is not a valid protobuf ExportTraceServiceRequest.");
  }
  return walkSpans(message.resourceSpans ?? [], readResource, readSpan);
}

function readResource(resource: { attributes?: PbKeyValue[] | null } | null | undefined): Map<string, AttrValue> | string {
  try {
    return readAttributes(resource?.attributes);
  } catch (err) {
    if (!(err instanceof SpanError)) throw err;
    return `resource ${err.message}`;
  }
}

/** The response body for a protobuf request: an ExportTraceServiceResponse. */
export function encodeProtobufResponse(partial: { rejectedSpans: number; errorMessage: string } | null): Buffer {
  const msg = partial ? { partialSuccess: partial } : {};
  return Buffer.from(service.ExportTraceServiceResponse.encode(msg).finish());
}

function hex(bytes: Uint8Array | null | undefined): string {
  return bytes && bytes.length > 0 ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex") : "";
}

function readSpan(s: PbSpan, scopeName: string, resource: Map<string, AttrValue>): SpanResult {
  const spanId = hex(s.spanId);
  try {
    const traceId = hex(s.traceId);
    if (traceId.length !== 32) throw new SpanError("traceId must be 16 bytes");
    if (spanId.length !== 16) throw new SpanError("spanId must be 8 bytes");
    const parent = hex(s.parentSpanId);
    if (parent !== "" && parent.length !== 16) throw new SpanError("parentSpanId must be 8 bytes or empty");
    const startNs = toUnixNano(s.startTimeUnixNano);
    const endNs = toUnixNano(s.endTimeUnixNano);
    if (startNs === null || endNs === null) throw new SpanError("span times must be unsigned 64-bit integers");
    return {
      span: {
        traceId,
        spanId,
        parentSpanId: parent || null,
        name: s.name ?? "",
        kind: s.kind ?? 0,
        startNs,
        endNs,
        statusCode: s.status?.code ?? 0,
        statusMessage: s.status?.message ?? "",
        attributes: readAttributes(s.attributes),
        scopeName,
        resource,
      },
    };
  } catch (err) {
    if (err instanceof SpanError) return { rejected: err.message, spanId: spanId.length === 16 ? spanId : null };
    throw err;
  }
}

function readAttributes(list: PbKeyValue[] | null | undefined): Map<string, AttrValue> {
  const map = new Map<string, AttrValue>();
  for (const kv of list ?? []) map.set(kv.key ?? "", readAnyValue(kv.value, 0));
  return map;
}

function readAnyValue(v: PbAnyValue | null | undefined, depth: number): AttrValue {
  if (!v) return null;
  if (v.stringValue != null) return v.stringValue;
  if (v.intValue != null) return toInt64(v.intValue);
  if (v.doubleValue != null) return v.doubleValue;
  if (v.boolValue != null) return v.boolValue;
  if (v.arrayValue != null) return depth > 0 ? null : (v.arrayValue.values ?? []).map((item) => readAnyValue(item, depth + 1));
  return null;
}
