import { readBody } from "../http/read-body";
import { GatewayError, sendGatewayError } from "./anthropic-error";
import type { CallContext, GatewayDeps } from "./call-context";
import { callUpstream } from "./call-upstream";
import { authenticateGatewayCall } from "./gateway-auth";
import { parseCountTokensRequest } from "./parse-request";
import { relayJson, relayUpstreamError } from "./relay";
import { upstreamRequestHeaders } from "./upstream-headers";

/**
 * POST /gateway/v1/messages/count_tokens: passed through as sent (no routing: the count is for
 * the model the client names) and not recorded, since it is not a model call and costs nothing.
 */
export async function serveCountTokens(deps: GatewayDeps, call: CallContext): Promise<void> {
  const { req, res, id, signal } = call;
  if (req.method !== "POST") throw new GatewayError(405, "invalid_request_error", "Use POST.");
  const { projectId, keyId } = await authenticateGatewayCall(deps.getDb(), req);
  call.lease.enterKey(keyId);
  const raw = await readBody(req, deps.maxBodyBytes, { admit: call.lease.reserve });
  parseCountTokensRequest(raw);
  const result = await callUpstream({
    pool: deps.pool,
    path: `${deps.upstream.basePath}/v1/messages/count_tokens`,
    headers: upstreamRequestHeaders(req.headers, deps.upstream, projectId),
    bodyFor: () => raw,
    chain: ["count_tokens"],
    retryBudgetMs: 0,
    headersTimeoutMs: deps.upstream.streamHeadersTimeoutMs,
    bodyTimeoutMs: deps.upstream.bodyTimeoutMs,
    signal,
    now: deps.now,
  });
  const headers = { "x-pitwall-request-id": id };
  if (result.kind === "no_answer") return sendGatewayError(res, result.error, id, headers);
  if (result.kind === "upstream_error") {
    relayUpstreamError(res, result.status, result.headers, result.body, headers, id);
    return;
  }
  await relayJson(res, result.response, headers);
}
