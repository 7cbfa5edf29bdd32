/**
 * The receiver's own view of one OTLP span, the same whichever wire format carried it. Attribute
 * maps are `Map`s so that keys such as `__proto__` stay plain data.
 */
export type AttrValue = string | number | bigint | boolean | AttrValue[] | null;

export type OtlpSpan = {
  traceId: string; // 32 lowercase hex
  spanId: string; // 16 lowercase hex
  parentSpanId: string | null;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  statusCode: number; // 0 unset, 1 ok, 2 error
  statusMessage: string;
  attributes: Map<string, AttrValue>;
  scopeName: string;
  resource: Map<string, AttrValue>;
};

/** One decoded span, or why it was rejected (with its id when that much was readable). */
export type SpanResult = { span: OtlpSpan } | { rejected: string; spanId: string | null };

/** The spans of one request, in order, read lazily so a huge request is never copied twice. */
export type DecodedRequest = { spanCount: number; spans: () => Iterable<SpanResult> };

export const TRACE_ID_HEX = /^[0-9a-f]{32}$/;
export const SPAN_ID_HEX = /^[0-9a-f]{16}$/;

/** An unsigned 64-bit nanosecond time from a string, a number or a protobufjs Long. */
export function toUnixNano(value: unknown): bigint | null {
  if (value === null || value === undefined || value === "") return 0n;
  // A JSON number past 2^53 (every nanosecond time) arrives rounded to ~256 ns: it is accepted and
  // snapped to the microsecond, so 1.5 s sent as numbers is still 1.5 s, not 1.499999744.
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** 64) return null;
    return Number.isSafeInteger(value) ? BigInt(value) : BigInt(Math.round(value / 1000)) * 1000n;
  }
  if (typeof value === "string") return /^\d{1,20}$/.test(value) && BigInt(value) < 2n ** 64n ? BigInt(value) : null;
  if (typeof value === "object" && "low" in value && "high" in value) {
    const { low, high } = value as { low: number; high: number };
    return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  }
  return null;
}

/** A signed 64-bit integer attribute value from a string, a number or a protobufjs Long. */
export function toInt64(value: unknown): bigint | null {
  if (typeof value === "number") return Number.isInteger(value) && Math.abs(value) < 2 ** 63 ? BigInt(value) : null;
  if (typeof value === "string") return /^-?\d{1,19}$/.test(value) && BigInt.asIntN(64, BigInt(value)) === BigInt(value) ? BigInt(value) : null;
  if (value !== null && typeof value === "object" && "low" in value && "high" in value) {
    const { low, high, unsigned } = value as { low: number; high: number; unsigned?: boolean };
    const bits = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
    return unsigned ? bits : BigInt.asIntN(64, bits);
  }
  return null;
}

/** The resource → scope → span nesting that the JSON and protobuf requests share. */
export type SpanGroups<R, S> = readonly {
  resource?: R | null;
  scopeSpans?: readonly { scope?: { name?: string | null } | null; spans?: readonly S[] | null }[] | null;
}[];

/**
 * Walks a request's spans lazily, whatever the wire format: `readResource` turns a resource into
 * its attributes or the reason it cannot be read (then each of its spans is rejected with that
 * reason), and `readSpan` reads one span in its scope and resource.
 */
export function walkSpans<R, S>(
  groups: SpanGroups<R, S>,
  readResource: (resource: R | null | undefined) => Map<string, AttrValue> | string,
  readSpan: (raw: S, scopeName: string, resource: Map<string, AttrValue>) => SpanResult,
): DecodedRequest {
  let spanCount = 0;
  for (const rs of groups) for (const ss of rs.scopeSpans ?? []) spanCount += ss.spans?.length ?? 0;
  return {
    spanCount,
    *spans(): Iterable<SpanResult> {
      for (const rs of groups) {
        const resource = readResource(rs.resource);
        for (const ss of rs.scopeSpans ?? []) {
          const scopeName = ss.scope?.name ?? "";
          for (const raw of ss.spans ?? []) yield typeof resource === "string" ? { rejected: resource, spanId: null } : readSpan(raw, scopeName, resource);
        }
      }
    },
  };
}
