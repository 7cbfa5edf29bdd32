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
