import { hash as oneShotHash } from "node:crypto";
import type { EventStatus, ResponseCacheStatus } from "../events/event-enums";
import type { IngestEventInput } from "../ingestion/event-schema";
import { INGEST_LIMITS as L } from "../ingestion/limits";
import { promptChars, tokensFromChars } from "../policies/estimate-tokens";
import type { AttemptRecord } from "./call-upstream";
import type { GatewayHints } from "./gateway-headers";
import type { CallUsage } from "./usage";

/** Everything the gateway learned about one call, turned into an event by `callEvent`. */
export type CallOutcome = {
  id: string;
  startedAtMs: number;
  latencyMs: number;
  ttftMs: number | null;
  hints: GatewayHints;
  /** The client's request as parsed (before routing): hashed for repeat detection. */
  request: Record<string, unknown>;
  requestedModel: string;
  servedModel: string;
  streamed: boolean;
  status: EventStatus;
  httpStatus: number;
  errorType: string | null;
  usage: CallUsage;
  /** Output tokens guessed from the text seen (a stream cut short before its final usage). */
  outputEstimated?: boolean;
  responseCache: ResponseCacheStatus;
  policyVersion: number | null;
  cachePolicyVersion: number | null;
  ruleId?: string;
  attempts: AttemptRecord[];
  stopReason: string | null;
  upstreamRequestId?: string;
  /** Usage of the answer a cache hit replayed (what the hit saved). */
  savedUsage?: CallUsage;
  promptCachingAdded?: string[];
  maxTokensCapped?: boolean;
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text from a request made safe for the event store: bounded, no NUL, no lone surrogates. */
export function safeText(value: unknown, max: number = L.maxStringLength): string | null {
  if (typeof value !== "string" || value === "") return null;
  return value.slice(0, max).replaceAll("\u0000", "").replace(LONE_SURROGATE, "\uFFFD");
}

function hash(text: string): string {
  return oneShotHash("sha256", text, "hex").slice(0, 32);
}

/** What both gateway events (a model call, a count_tokens call) know of the call. */
export type GatewayCallBasics = Pick<
  CallOutcome,
  "id" | "startedAtMs" | "latencyMs" | "hints" | "requestedModel" | "servedModel" | "status" | "httpStatus" | "errorType" | "policyVersion"
>;

/**
 * The event fields both gateway events take from the call's hints and outcome, made safe alike.
 * Callers add their own fields with Object.assign onto this object, not by spreading it into a
 * new literal: on Node 20 `{ ...basics, more }` took ~15-25 µs per event (V8's object-clone path
 * followed by a long run of added properties), against ~1 µs for assigning onto it.
 */
export function gatewayEventBasics(o: GatewayCallBasics) {
  return {
    id: o.id,
    timestamp: new Date(o.startedAtMs).toISOString(),
    agent: o.hints.agent,
    route: o.hints.route,
    sessionId: o.hints.sessionId,
    traceId: o.hints.traceId,
    parentId: o.hints.parentId,
    provider: "anthropic",
    model: safeText(o.servedModel) ?? "unknown",
    requestedModel: safeText(o.requestedModel),
    status: o.status,
    errorType: safeText(o.errorType, 64),
    httpStatus: o.httpStatus,
    latencyMs: Math.max(0, o.latencyMs),
    policyVersion: o.policyVersion,
    tags: o.hints.tags,
  } satisfies Partial<IngestEventInput>;
}

/** The ingest event for one gateway call, typed as the ingest input: a renamed field fails the typecheck. */
export function callEvent(o: CallOutcome): IngestEventInput {
  const req = o.request;
  const messages = Array.isArray(req.messages) ? req.messages : [];
  const tools = Array.isArray(req.tools) ? req.tools : [];
  const metadataUser = (req.metadata as { user_id?: unknown } | undefined)?.user_id;
  const systemJson = req.system === undefined ? undefined : JSON.stringify(req.system);
  const fallbacks = o.attempts.length > 1 ? o.attempts.map((a) => ({ ...a, ms: Math.round(a.ms) })) : undefined;
  const metadata: Record<string, unknown> = { gatewayRequestId: o.id };
  if (fallbacks) metadata.fallbacks = fallbacks;
  if (o.ruleId) metadata.ruleId = o.ruleId;
  if (o.cachePolicyVersion !== null) metadata.cachePolicyVersion = o.cachePolicyVersion;
  if (o.stopReason) metadata.stopReason = o.stopReason;
  if (o.upstreamRequestId) metadata.upstreamRequestId = safeText(o.upstreamRequestId, 128);
  if (o.outputEstimated) metadata.outputTokensEstimated = true;
  if (o.savedUsage) metadata.savedUsage = o.savedUsage;
  if (o.promptCachingAdded?.length) metadata.promptCachingAdded = o.promptCachingAdded;
  if (o.maxTokensCapped) metadata.maxTokensCapped = true;
  const fields = {
    kind: "llm",
    userId: safeText(metadataUser),
    ttftMs: o.ttftMs === null ? null : Math.max(0, o.ttftMs),
    streamed: o.streamed,
    ...o.usage,
    responseCache: o.responseCache,
    // What the caller asked of the response cache, so a replay resolves it as the gateway did: no-store is a TTL of 0 for the call.
    requestedCacheTtlSec: o.hints.cacheMode === "no-store" ? 0 : o.hints.cacheTtlSec,
    // The same text as JSON.stringify([system ?? null, messages, tools]), with the system serialized once for both hashes.
    promptHash: hash(`[${systemJson ?? "null"},${JSON.stringify(messages)},${JSON.stringify(tools)}]`),
    systemHash: systemJson === undefined ? null : hash(systemJson),
    // An estimate (~4 characters per token) for the advisor's prompt-caching hints.
    systemTokens: req.system === undefined ? null : tokensFromChars(promptChars(req.system)),
    messageCount: Math.min(messages.length, 1_000_000),
    toolCount: Math.min(tools.length, 10_000),
    metadata,
  } satisfies Partial<IngestEventInput>;
  return Object.assign(gatewayEventBasics(o), fields);
}
