import { CHARS_PER_TOKEN } from "./estimate-tokens";

/** The recorded facts of one event the dry-run can rebuild a request from (prompts are not stored). */
export type EventShape = {
  model: string | null;
  requestedModel: string | null;
  route: string | null;
  agent: string | null;
  tags: Record<string, string>;
  userId: string | null;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  outputTokens: number;
  systemTokens: number | null;
  messageCount: number | null;
  toolCount: number | null;
};

/**
 * A Messages request shaped like a recorded call: same requested model, route, agent and tags, the
 * same number of messages and tools, and filler text sized so the gateway's token estimate lands on
 * the recorded prompt size. Routing and cache rules only look at these facts, so the dry-run
 * matches what the call met; the text itself is placeholder.
 */
export function requestFromEvent(e: EventShape): { request: Record<string, unknown>; route?: string; agent?: string; tags: Record<string, string> } {
  const promptTokens = e.inputTokens + e.cacheReadTokens + e.cacheWrite5mTokens + e.cacheWrite1hTokens;
  const systemTokens = Math.min(e.systemTokens ?? 0, promptTokens);
  const messages = Math.max(1, e.messageCount ?? 1);
  const tools = Math.max(0, e.toolCount ?? 0);
  const perMessage = Math.max(1, Math.floor(((promptTokens - systemTokens) * CHARS_PER_TOKEN) / messages) - 40);
  const request: Record<string, unknown> = {
    model: e.requestedModel ?? e.model ?? "claude-sonnet-4-5",
    max_tokens: Math.max(1, e.outputTokens),
    messages: Array.from({ length: messages }, (_, i) => ({ role: i % 2 === 0 ? "user" : "assistant", content: "x".repeat(perMessage) })),
  };
  if (systemTokens > 0) request.system = "s".repeat(systemTokens * CHARS_PER_TOKEN);
  if (tools > 0) request.tools = Array.from({ length: tools }, (_, i) => ({ name: `tool_${i + 1}`, input_schema: { type: "object" } }));
  if (e.userId) request.metadata = { user_id: e.userId };
  return { request, ...(e.route ? { route: e.route } : {}), ...(e.agent ? { agent: e.agent } : {}), tags: e.tags };
}
