import type { ServerResponse } from "node:http";
import { readBody } from "../http/read-body";
import { GatewayError, sendGatewayError } from "./anthropic-error";
import { callEvent, type CallOutcome } from "./call-event";
import { CallAborted, type CallContext, type GatewayDeps } from "./call-context";
import { callUpstream } from "./call-upstream";
import { parseGatewayHints } from "./gateway-headers";
import { authenticateGatewayCall } from "./gateway-auth";
import { parseMessagesRequest } from "./parse-request";
import { relayJson, relayStream, relayUpstreamError } from "./relay";
import { routeRequest, type RoutedRequest } from "./route-request";
import { SseObserver } from "./sse-observer";
import { messageToSse } from "./sse-replay";
import { upstreamRequestHeaders } from "./upstream-headers";
import { mergeUsage, ZERO_USAGE } from "./usage";

type Json = Record<string, unknown>;
type Outcome = Partial<CallOutcome> & Pick<CallOutcome, "servedModel" | "status" | "httpStatus" | "responseCache">;

/**
 * POST /gateway/v1/messages: authenticate, apply the project's policies, answer from the response
 * cache or the upstream (fallback chain included), pipe the answer through, record the call.
 */
export async function serveMessages(deps: GatewayDeps, call: CallContext): Promise<void> {
  const { req, id, t0 } = call;
  const startedAtMs = Date.now();
  const db = deps.getDb();
  if (req.method !== "POST") throw new GatewayError(405, "invalid_request_error", "Use POST.");
  const preset = call.preset;
  let projectId: string;
  let raw: Buffer;
  if (preset) {
    // Authenticated by the caller (a session); its body is already in memory but counts the same.
    projectId = preset.projectId;
    call.lease.reserve(preset.body.length);
    raw = preset.body;
  } else {
    const key = await authenticateGatewayCall(db, req);
    projectId = key.projectId;
    call.lease.enterKey(key.keyId);
    raw = await readBody(req, deps.maxBodyBytes, { admit: call.lease.reserve });
  }
  const request = parseMessagesRequest(raw);
  const headers = preset?.headers ?? req.headers;
  const hints = parseGatewayHints(headers);
  const policies = await deps.loadPolicies(db, projectId);
  const beta = headers["anthropic-beta"];
  const version = headers["anthropic-version"];
  const routed = routeRequest(request, hints, policies, {
    projectId,
    anthropicBeta: beta === undefined ? null : String(beta),
    anthropicVersion: version === undefined ? null : String(version),
  });
  const streamed = request.stream === true;

  let recorded = false;
  const record = (fields: Outcome): void => {
    recorded = true;
    if (!deps.recorder) return;
    const outcome: CallOutcome = {
      id,
      startedAtMs,
      latencyMs: deps.now() - t0,
      ttftMs: null,
      hints: preset?.recordHints ? { ...hints, ...preset.recordHints } : hints,
      request,
      requestedModel: request.model,
      streamed,
      errorType: null,
      usage: { ...ZERO_USAGE },
      policyVersion: policies.routingVersion || null,
      cachePolicyVersion: policies.cacheVersion || null,
      ruleId: routed.plan.ruleId,
      attempts: [],
      stopReason: null,
      promptCachingAdded: routed.promptCachingAdded,
      maxTokensCapped: routed.maxTokensCapped,
      ...fields,
    };
    const recorder = deps.recorder;
    // Hashing the prompt for the event is real work: do it after the answer is out.
    setImmediate(() => recorder.record(projectId, callEvent(outcome)));
  };
  // x-pitwall-elapsed-ms: time since the call arrived, as the head goes out. A client adds the
  // time it sees from the head to its first token and gets the TTFT the recorder stores.
  const pitwallHeaders = (model: string, cache: "HIT" | "MISS" | "BYPASS"): Record<string, string> => ({
    "x-pitwall-request-id": id,
    "x-pitwall-elapsed-ms": (deps.now() - t0).toFixed(2),
    "x-pitwall-model": model,
    "x-pitwall-cache": cache,
    "x-pitwall-policy-version": String(policies.routingVersion),
  });

  try {
    await answer({ deps, call, projectId, raw, routed, streamed, record, pitwallHeaders });
  } catch (err) {
    // The client left, or a shutdown ended the call (answered 503 by the gateway), before it was recorded.
    if (!recorded && err instanceof CallAborted) {
      const base = { servedModel: routed.plan.model, responseCache: routed.cache.statusIfUnread };
      if (err.by === "shutdown") record({ ...base, status: "error", httpStatus: call.res.headersSent ? call.res.statusCode : 503, errorType: "gateway_shutdown" });
      else record({ ...base, status: "aborted", httpStatus: 499, errorType: "client_closed" });
    }
    throw err;
  }
}

type Answer = {
  deps: GatewayDeps;
  call: CallContext;
  projectId: string;
  raw: Buffer;
  routed: RoutedRequest;
  streamed: boolean;
  record: (fields: Outcome) => void;
  pitwallHeaders: (model: string, cache: "HIT" | "MISS" | "BYPASS") => Record<string, string>;
};

async function answer(a: Answer): Promise<void> {
  const { deps, call, projectId, routed, streamed, record, pitwallHeaders } = a;
  const { res, id, signal, t0 } = call;
  const cache = deps.responseCache;

  // 1. The response cache: exact match on the request after routing.
  let cacheStatus: CallOutcome["responseCache"] = routed.cache.statusIfUnread;
  if (routed.cache.read && cache) {
    const hit = await cache.get(routed.cache.keyFor(routed.plan.model), projectId);
    if (signal.aborted) throw signal.reason;
    if (hit) {
      const sentAt = serveFromCache(res, hit.message, streamed, pitwallHeaders(hit.model, "HIT"), id, deps.now);
      record({
        servedModel: hit.model,
        status: "ok",
        httpStatus: 200,
        responseCache: "hit",
        ttftMs: streamed ? sentAt - t0 : null,
        savedUsage: mergeUsage({ ...ZERO_USAGE }, hit.message.usage),
        stopReason: stopReasonOf(hit.message),
      });
      return;
    }
    cacheStatus = "miss";
  }
  const cacheHeader = cacheStatus === "miss" ? "MISS" : "BYPASS";
  const store = (model: string, message: Json | undefined) => {
    if (!message || !cache || !routed.cache.write) return;
    void cache.set(routed.cache.keyFor(model), { projectId, model, message, createdAt: Date.now() }, routed.cache.ttlSec);
  };

  // 2. The upstream, walking the plan's fallback chain before the first byte.
  const result = await callUpstream({
    pool: deps.pool,
    path: `${deps.upstream.basePath}/v1/messages`,
    headers: upstreamRequestHeaders(call.preset?.headers ?? call.req.headers, deps.upstream, projectId),
    bodyFor: bodyEncoder(a.raw, routed),
    chain: [routed.plan.model, ...routed.plan.fallbacks],
    retryBudgetMs: routed.plan.retryBudgetMs,
    headersTimeoutMs: streamed ? deps.upstream.streamHeadersTimeoutMs : deps.upstream.headersTimeoutMs,
    bodyTimeoutMs: deps.upstream.bodyTimeoutMs,
    signal,
    now: deps.now,
  });
  const served = result.model;
  const headers = pitwallHeaders(served, cacheHeader);
  const base = { servedModel: served, attempts: result.attempts, responseCache: cacheStatus };

  if (result.kind === "no_answer") {
    sendGatewayError(res, result.error, id, headers);
    record({ ...base, status: "error", httpStatus: result.error.status, errorType: result.error.type });
    return;
  }
  if (result.kind === "upstream_error") {
    const status = relayUpstreamError(res, result.status, result.headers, result.body, headers, id);
    record({ ...base, status: "error", httpStatus: status, errorType: result.errorType, upstreamRequestId: one(result.headers["request-id"]) });
    return;
  }

  // 3. The answer, piped through as it arrives.
  const response = result.response;
  const upstreamRequestId = one(response.headers["request-id"]);
  if (String(response.headers["content-type"] ?? "").startsWith("text/event-stream")) {
    const observer = new SseObserver({ assemble: routed.cache.write && !!cache, now: deps.now });
    const relay = await relayStream(res, response, headers, observer, signal, id);
    const usage = { ...observer.usage };
    let outputEstimated = false;
    if (relay.end !== "complete" || !observer.complete) {
      // Cut short: the final usage never came, so count what was seen (~4 characters a token).
      const guess = Math.ceil(observer.outputChars / 4);
      if (guess > usage.outputTokens) {
        usage.outputTokens = guess;
        outputEstimated = true;
      }
    }
    const firstAt = observer.firstDeltaAt ?? observer.firstByteAt;
    const failed = relay.end === "broken" || relay.end === "shutdown" || !!observer.error || !observer.complete;
    const status = relay.end === "aborted" ? "aborted" : failed ? "error" : "ok";
    const errorType =
      status === "aborted"
        ? "client_closed"
        : relay.end === "shutdown"
          ? "gateway_shutdown"
          : (observer.error?.type ?? (relay.end === "broken" ? "upstream_broken" : failed ? "incomplete_stream" : null));
    record({
      ...base,
      status,
      httpStatus: response.statusCode,
      errorType,
      usage,
      outputEstimated,
      ttftMs: firstAt === undefined ? null : firstAt - t0,
      stopReason: observer.stopReason,
      upstreamRequestId,
    });
    if (status === "ok") store(served, observer.finalMessage());
    return;
  }

  const bytes = await relayJson(res, response, headers);
  if (bytes === null) {
    if (signal.aborted) throw signal.reason; // recorded as aborted by the caller
    const broken = new GatewayError(502, "api_error", "The upstream connection failed before the answer was complete.");
    sendGatewayError(res, broken, id, headers);
    record({ ...base, status: "error", httpStatus: 502, errorType: "upstream_broken", upstreamRequestId });
    return;
  }
  const message = parseObject(bytes);
  record({
    ...base,
    status: "ok",
    httpStatus: response.statusCode,
    usage: mergeUsage({ ...ZERO_USAGE }, message?.usage),
    stopReason: message ? stopReasonOf(message) : null,
    upstreamRequestId,
  });
  if (response.statusCode === 200 && message?.type === "message") store(served, message);
}

/**
 * The bytes to send for a model of the chain: the client's own bytes when routing changed
 * nothing, else the routed body (every field kept) serialized once.
 */
function bodyEncoder(raw: Buffer, routed: RoutedRequest): (model: string) => Buffer | string {
  let encoded: string | undefined;
  return (model) => {
    if (model === routed.body.model) return routed.changed ? (encoded ??= JSON.stringify(routed.body)) : raw;
    return JSON.stringify({ ...routed.body, model });
  };
}

type Encoded = { body: Buffer; length: number };
/**
 * A cached Message's bytes, per shape, kept with the entry: the in-process LRU hands out the same
 * message object on every hit, so a hot entry is serialized once, not once per hit.
 */
const encodedHits = new WeakMap<Json, { json?: Encoded; sse?: Encoded }>();
function encodedHit(message: Json, streamed: boolean): Encoded {
  let forms = encodedHits.get(message);
  if (!forms) encodedHits.set(message, (forms = {}));
  const key = streamed ? "sse" : "json";
  let enc = forms[key];
  if (!enc) {
    const body = Buffer.from(streamed ? messageToSse(message) : JSON.stringify(message));
    enc = forms[key] = { body, length: body.length };
  }
  return enc;
}

/** A cached Message as JSON, or replayed as the SSE stream a streaming client expects. */
function serveFromCache(res: ServerResponse, message: Json, streamed: boolean, headers: Record<string, string>, requestId: string, now: () => number): number {
  const { body: payload, length } = encodedHit(message, streamed);
  res.writeHead(200, {
    ...headers,
    "content-type": streamed ? "text/event-stream; charset=utf-8" : "application/json",
    "cache-control": streamed ? "no-cache" : "no-store",
    "content-length": length,
    "request-id": requestId,
  });
  res.end(payload);
  return now();
}

function parseObject(bytes: Buffer): Json | undefined {
  try {
    const v = JSON.parse(bytes.toString("utf8")) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

function stopReasonOf(message: Json): string | null {
  return typeof message.stop_reason === "string" ? message.stop_reason : null;
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
