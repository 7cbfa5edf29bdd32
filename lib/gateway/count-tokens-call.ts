import { planRoute } from "../policies/plan-route";
import { readBody } from "../http/read-body";
import { GatewayError, sendGatewayError } from "./anthropic-error";
import { CallAborted, type CallContext, type GatewayDeps } from "./call-context";
import { callUpstream } from "./call-upstream";
import { countTokensEvent, type CountTokensOutcome } from "./count-tokens-event";
import { authenticateGatewayCall } from "./gateway-auth";
import { parseGatewayHints } from "./gateway-headers";
import { parseMessagesRequest } from "./parse-request";
import { relayJson, relayUpstreamError } from "./relay";
import { routeFacts } from "./route-request";
import { upstreamRequestHeaders } from "./upstream-headers";

type Outcome = Pick<CountTokensOutcome, "status" | "httpStatus" | "errorType"> & Partial<Pick<CountTokensOutcome, "countedInputTokens" | "upstreamRequestId">>;

/**
 * POST /gateway/v1/messages/count_tokens: the body is checked as a Messages request (a count is
 * asked for the request the client would send), routed by the project's routing policy so the
 * count is for the model the call would be served by (the model mapping only: no fallbacks, and
 * max_tokens caps and prompt caching do not change a count), relayed, and recorded as a
 * `count_tokens` event.
 */
export async function serveCountTokens(deps: GatewayDeps, call: CallContext): Promise<void> {
  const { req, res, id, signal, t0 } = call;
  const startedAtMs = Date.now();
  if (req.method !== "POST") throw new GatewayError(405, "invalid_request_error", "Use POST.");
  const db = deps.getDb();
  const { projectId, keyId } = await authenticateGatewayCall(db, req);
  call.lease.enterKey(keyId);
  const raw = await readBody(req, deps.maxBodyBytes, { admit: call.lease.reserve });
  const request = parseMessagesRequest(raw);
  const hints = parseGatewayHints(req.headers);
  const policies = await deps.loadPolicies(db, projectId);
  const plan = planRoute(policies.routing, routeFacts(request, hints, policies.routing), { policyVersion: policies.routingVersion });
  const body = plan.model === request.model ? raw : JSON.stringify({ ...request, model: plan.model });

  const record = (o: Outcome): void => {
    const recorder = deps.recorder;
    if (!recorder) return;
    const outcome: CountTokensOutcome = {
      id,
      startedAtMs,
      latencyMs: deps.now() - t0,
      hints,
      requestedModel: request.model,
      servedModel: plan.model,
      countedInputTokens: null,
      messageCount: request.messages.length,
      toolCount: Array.isArray(request.tools) ? request.tools.length : 0,
      policyVersion: policies.routingVersion || null,
      ruleId: plan.ruleId,
      ...o,
    };
    setImmediate(() => recorder.record(projectId, countTokensEvent(outcome)));
  };
  const headers = {
    "x-pitwall-request-id": id,
    "x-pitwall-model": plan.model,
    "x-pitwall-policy-version": String(policies.routingVersion),
  };

  try {
    const result = await callUpstream({
      pool: deps.pool,
      path: `${deps.upstream.basePath}/v1/messages/count_tokens`,
      headers: upstreamRequestHeaders(req.headers, deps.upstream, projectId),
      bodyFor: () => body,
      chain: [plan.model],
      retryBudgetMs: 0,
      headersTimeoutMs: deps.upstream.streamHeadersTimeoutMs,
      bodyTimeoutMs: deps.upstream.bodyTimeoutMs,
      signal,
      now: deps.now,
    });
    if (result.kind === "no_answer") {
      sendGatewayError(res, result.error, id, headers);
      record({ status: "error", httpStatus: result.error.status, errorType: result.error.type });
      return;
    }
    if (result.kind === "upstream_error") {
      const status = relayUpstreamError(res, result.status, result.headers, result.body, headers, id);
      record({ status: "error", httpStatus: status, errorType: result.errorType, upstreamRequestId: one(result.headers["request-id"]) });
      return;
    }
    const upstreamRequestId = one(result.response.headers["request-id"]);
    const bytes = await relayJson(res, result.response, headers);
    if (bytes === null) {
      if (signal.aborted) throw signal.reason;
      const broken = new GatewayError(502, "api_error", "The upstream connection failed before the answer was complete.");
      sendGatewayError(res, broken, id, headers);
      record({ status: "error", httpStatus: 502, errorType: "upstream_broken", upstreamRequestId });
      return;
    }
    record({ status: "ok", httpStatus: result.response.statusCode, errorType: null, countedInputTokens: countedTokens(bytes), upstreamRequestId });
  } catch (err) {
    if (err instanceof CallAborted) {
      if (err.by === "shutdown") record({ status: "error", httpStatus: res.headersSent ? res.statusCode : 503, errorType: "gateway_shutdown" });
      else record({ status: "aborted", httpStatus: 499, errorType: "client_closed" });
    }
    throw err;
  }
}

function countedTokens(bytes: Buffer): number | null {
  try {
    const n = (JSON.parse(bytes.toString("utf8")) as { input_tokens?: unknown }).input_tokens;
    return typeof n === "number" && Number.isInteger(n) && n >= 0 ? n : null;
  } catch {
    return null;
  }
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
