import type { IncomingHttpHeaders } from "node:http";
import type { GatewayHints } from "../gateway/gateway-headers";
import { parseToolsJson, type ExperimentConfig, type PaneConfig } from "./config-schema";

export const PLAYGROUND_ROUTE = "playground";

export type PaneCall = {
  /** The Messages API body, streamed. */
  body: Record<string, unknown>;
  /** What the gateway reads as the call's headers: routing and cache hints. */
  headers: IncomingHttpHeaders;
  /** What the recorded event says: route `playground` and the experiment/pane/run tags. */
  recordHints: Pick<GatewayHints, "route" | "agent" | "tags">;
};

function encodeTag(text: string): string {
  return encodeURIComponent(text);
}

function tagsHeader(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${encodeTag(k)}=${encodeTag(v)}`)
    .join(",");
}

/**
 * One pane's call: the system prompt (with a cache_control breakpoint when prompt caching is on),
 * the shared history and prompt, max_tokens and tools; the hints that route it (the pane's own
 * route, agent and tags when it follows the routing policy); and what the event records.
 * `repeat` (Run x N) keeps the response cache from answering unless the pane set a TTL itself:
 * with the policy deciding, it sends Cache-Control: no-cache (skip the read, keep the write).
 */
export function buildPaneCall(
  config: Pick<ExperimentConfig, "prompt" | "history">,
  pane: PaneConfig,
  ids: { experimentId: string; runId: string },
  opts: { repeat: boolean },
): PaneCall {
  const body: Record<string, unknown> = {
    model: pane.model,
    max_tokens: pane.maxTokens,
    stream: true,
    messages: [...config.history.map((t) => ({ role: t.role, content: t.content })), { role: "user", content: config.prompt }],
  };
  if (pane.system !== "") {
    body.system =
      pane.promptCaching === "off"
        ? pane.system
        : [{ type: "text", text: pane.system, cache_control: { type: "ephemeral", ttl: pane.promptCaching } }];
  }
  const tools = parseToolsJson(pane.tools);
  if (tools.ok && tools.tools && tools.tools.length > 0) body.tools = tools.tools;

  const ownTags = pane.target.kind === "policy" ? pane.target.tags : {};
  const tags = { ...ownTags, experiment: ids.experimentId, pane: pane.name, run: ids.runId };
  const headers: IncomingHttpHeaders = {
    "content-type": "application/json",
    "anthropic-version": "2023-06-01",
    "x-pitwall-route": encodeTag(pane.target.kind === "policy" && pane.target.route ? pane.target.route : PLAYGROUND_ROUTE),
    "x-pitwall-tags": tagsHeader(tags),
  };
  const agent = pane.target.kind === "policy" && pane.target.agent ? pane.target.agent : null;
  if (agent) headers["x-pitwall-agent"] = encodeTag(agent);
  if (pane.responseCacheTtlSec !== null) headers["x-pitwall-cache-ttl"] = String(pane.responseCacheTtlSec);
  else if (opts.repeat) headers["cache-control"] = "no-cache";
  return { body, headers, recordHints: { route: PLAYGROUND_ROUTE, agent, tags } };
}
