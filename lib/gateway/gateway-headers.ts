import type { IncomingHttpHeaders } from "node:http";
import { SESSION_HEADER } from "../events/hint-headers";
import { INGEST_LIMITS as L } from "../ingestion/limits";
import { MAX_RESPONSE_CACHE_TTL_SEC } from "../policies/cache-policy-schema";
import { unsafeTextReason } from "../safe-text";
import { GatewayError } from "./anthropic-error";
import { parseTraceHeaders } from "./trace-headers";

/** no-cache: skip the cache read but store the fresh answer; no-store: neither read nor write. */
export type CacheMode = "default" | "no-cache" | "no-store";

/** What a client tells the gateway about a call through `x-pitwall-*` and Cache-Control. */
export type GatewayHints = {
  route: string | null;
  agent: string | null;
  sessionId: string | null;
  tags: Record<string, string>;
  /** x-pitwall-cache-ttl: overrides the cache policy's TTL for this call (0 = off). */
  cacheTtlSec: number | null;
  cacheMode: CacheMode;
  /** x-pitwall-trace-id / x-pitwall-parent-id or W3C traceparent: the trace the call sits in. */
  traceId: string | null;
  parentId: string | null;
};

function one(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function bad(message: string): GatewayError {
  return new GatewayError(400, "invalid_request_error", message);
}

/**
 * Header values are Latin-1 on the wire; percent-encoding carries UTF-8 and the separators. A
 * value that decodes to text the event store refuses (a NUL from `%00`) is a 400 here, before the
 * upstream is called: served but unrecordable would be a call missing from the spend records.
 */
function decode(raw: string, what: string): string {
  if (!raw.includes("%")) return raw;
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw bad(`${what} has invalid percent-encoding.`);
  }
  const reason = unsafeTextReason(value);
  if (reason) throw bad(`${what} ${reason} once percent-decoded.`);
  return value;
}

function name(headers: IncomingHttpHeaders, header: string): string | null {
  const raw = one(headers, header)?.trim();
  if (!raw) return null;
  const value = decode(raw, header);
  if (value.length > L.maxStringLength) throw bad(`${header} is longer than ${L.maxStringLength} characters.`);
  return value;
}

/** `k=v,k=v`; keys and values may be percent-encoded to carry `,` or `=`. */
export function parseTags(raw: string | undefined): Record<string, string> {
  const tags: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!raw || !raw.trim()) return tags;
  const pairs = raw.split(",");
  if (pairs.length > L.maxTags) throw bad(`x-pitwall-tags has more than ${L.maxTags} tags.`);
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw bad(`x-pitwall-tags must be k=v pairs separated by commas; got "${pair.trim().slice(0, 40)}".`);
    const key = decode(pair.slice(0, eq).trim(), "x-pitwall-tags");
    const value = decode(pair.slice(eq + 1).trim(), "x-pitwall-tags");
    if (!key || key.length > L.maxTagKeyLength) throw bad(`x-pitwall-tags keys are 1-${L.maxTagKeyLength} characters.`);
    if (value.length > L.maxTagValueLength) throw bad(`x-pitwall-tags value for "${key}" is longer than ${L.maxTagValueLength} characters.`);
    tags[key] = value;
  }
  // Null prototype on purpose: a `__proto__` tag stays an ordinary key (JSON keeps it as such).
  return tags;
}

function cacheTtl(raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === "") return null;
  const text = raw.trim();
  if (!/^\d+$/.test(text) || Number(text) > MAX_RESPONSE_CACHE_TTL_SEC) {
    throw bad(`x-pitwall-cache-ttl must be whole seconds from 0 to ${MAX_RESPONSE_CACHE_TTL_SEC}.`);
  }
  return Number(text);
}

function cacheMode(raw: string | undefined): CacheMode {
  if (!raw) return "default";
  const directives = raw.toLowerCase().split(",").map((d) => d.trim());
  if (directives.includes("no-store")) return "no-store";
  if (directives.includes("no-cache")) return "no-cache";
  return "default";
}

export function parseGatewayHints(headers: IncomingHttpHeaders): GatewayHints {
  return {
    route: name(headers, "x-pitwall-route"),
    agent: name(headers, "x-pitwall-agent"),
    sessionId: name(headers, SESSION_HEADER),
    tags: parseTags(one(headers, "x-pitwall-tags")),
    cacheTtlSec: cacheTtl(one(headers, "x-pitwall-cache-ttl")),
    cacheMode: cacheMode(one(headers, "cache-control")),
    ...parseTraceHeaders(headers),
  };
}
