import type { IncomingHttpHeaders } from "node:http";
import type { UpstreamConfig } from "./upstream";

/**
 * The headers sent upstream: an allow-list, so the client's Pitwall key (Authorization,
 * x-api-key), cookies and anything else the client sent never leave the gateway. The provider
 * key is added here and nowhere else.
 */
export function upstreamRequestHeaders(client: IncomingHttpHeaders, upstream: UpstreamConfig, projectId: string): Record<string, string> {
  const out: Record<string, string> = { "content-type": "application/json" };
  const version = client["anthropic-version"];
  if (typeof version === "string") out["anthropic-version"] = version;
  const beta = client["anthropic-beta"];
  if (beta !== undefined) out["anthropic-beta"] = Array.isArray(beta) ? beta.join(",") : beta;
  if (upstream.kind === "anthropic") {
    out["x-api-key"] = upstream.apiKey!;
  } else {
    // The simulator wants some key; one per project keeps its prompt cache per organization, as
    // Anthropic's is. The client's own key is never forwarded.
    out["x-api-key"] = `pitwall-sim-${projectId}`;
    for (const name in client) {
      if (name.startsWith("x-simulator-")) {
        const v = client[name];
        if (v !== undefined) out[name] = Array.isArray(v) ? v.join(",") : v;
      }
    }
  }
  return out;
}

/** Upstream response headers a client may see (rate-limit state, retry hints, the request id). */
export function relayedResponseHeaders(upstream: Record<string, string | string[] | undefined>, out: Record<string, string | number>): void {
  for (const name in upstream) {
    if (name === "request-id" || name === "retry-after" || name === "retry-after-ms" || name === "x-should-retry" || name.startsWith("anthropic-ratelimit-")) {
      const v = upstream[name];
      if (v !== undefined) out[name] = Array.isArray(v) ? v.join(", ") : v;
    }
  }
}
