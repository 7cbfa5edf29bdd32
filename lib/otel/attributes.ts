import type { AttrValue } from "./otlp-span";
import { SpanError } from "./span-error";

/** Typed readers over a span's attribute map: a value of the wrong type rejects the span. */
export function attrString(attrs: Map<string, AttrValue>, key: string): string | undefined {
  const v = attrs.get(key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new SpanError(`attribute ${key} must be a string`);
  return v;
}

export function attrNumber(attrs: Map<string, AttrValue>, key: string): number | undefined {
  const v = attrs.get(key);
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "bigint") return Number(v);
  throw new SpanError(`attribute ${key} must be a number`);
}

/** A whole, non-negative count (tokens); int64 arrives as bigint, some emitters send doubles. */
export function attrCount(attrs: Map<string, AttrValue>, key: string): number | undefined {
  const v = attrs.get(key);
  if (v === undefined || v === null) return undefined;
  let n: number;
  if (typeof v === "bigint") {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new SpanError(`attribute ${key} is out of range`);
    n = Number(v);
  } else if (typeof v === "number" && Number.isInteger(v)) {
    n = v;
  } else {
    throw new SpanError(`attribute ${key} must be a whole number`);
  }
  if (n < 0) throw new SpanError(`attribute ${key} must not be negative (got ${n})`);
  return n;
}

export function attrBool(attrs: Map<string, AttrValue>, key: string): boolean | undefined {
  const v = attrs.get(key);
  return typeof v === "boolean" ? v : undefined;
}
