import type { IngestEventInput } from "../ingestion/event-schema";
import { attrBool, attrCount, attrNumber, attrString } from "./attributes";
import type { OtlpSpan } from "./otlp-span";
import { SpanError } from "./span-error";
import { readUsage } from "./token-semantics";

export type SpanMapping = { event: IngestEventInput } | { ignored: string } | { rejected: string };

const LLM_OPERATIONS = new Set(["chat", "generate_content", "text_completion", "embeddings"]);

/** Which call a span records: an LLM call, a tool call, or neither (ignored and counted). */
function callKind(a: OtlpSpan["attributes"]): "llm" | "tool" | "other" | null {
  const op = attrString(a, "gen_ai.operation.name");
  const oiKind = attrString(a, "openinference.span.kind");
  if (op === "execute_tool" || oiKind === "TOOL") return "tool";
  if ((op && LLM_OPERATIONS.has(op)) || oiKind === "LLM") return "llm";
  if (op || oiKind) return "other"; // invoke_agent, workflow, retrieval, CHAIN…: GenAI, but no call
  // Older emitters name no operation but do name the system and the model.
  if ((a.has("gen_ai.system") || a.has("gen_ai.provider.name")) && a.has("gen_ai.request.model")) return "llm";
  return null;
}

/**
 * Maps one GenAI span to an event. The event id is `<traceId>-<spanId>`, so an exporter's retry
 * of the same span is deduplicated by ingestion; `parentId` names the parent span the same way.
 */
export function mapSpan(span: OtlpSpan): SpanMapping {
  try {
    const a = span.attributes;
    const kind = callKind(a);
    if (kind === null) return { ignored: "not a GenAI span" };
    if (kind === "other") return { ignored: "a GenAI span that is neither an LLM call nor a tool call" };
    if (span.startNs === 0n) throw new SpanError("startTimeUnixNano is missing");
    if (span.endNs < span.startNs) throw new SpanError("the span ends before it starts");

    const latencyMs = Number(span.endNs - span.startNs) / 1e6;
    const timestamp = new Date(Number(span.startNs / 1_000_000n)).toISOString();
    const status = span.statusCode === 2 ? "error" : "ok";
    const errorType = attrString(a, "error.type") ?? (status === "error" ? "error" : null);
    const httpStatus = attrCount(a, "http.response.status_code");
    const id = `${span.traceId}-${span.spanId}`;
    const parentId = span.parentSpanId ? `${span.traceId}-${span.parentSpanId}` : null;
    const agent = attrString(a, "gen_ai.agent.name") ?? attrString(span.resource, "service.name") ?? null;
    const sessionId = attrString(a, "gen_ai.conversation.id") ?? attrString(a, "session.id") ?? null;
    const userId = attrString(a, "enduser.id") ?? attrString(a, "user.id") ?? null;
    const http = httpStatus !== undefined && httpStatus >= 100 && httpStatus <= 599 ? httpStatus : null;

    // Each event is one object literal without spreads: V8 builds a literal that spreads into many
    // more properties in dictionary mode, ~10x slower (the profile of bench:otlp showed it).
    if (kind === "tool") {
      const toolName = attrString(a, "gen_ai.tool.name") ?? attrString(a, "tool.name") ?? span.name;
      const event: IngestEventInput = {
        id, timestamp, kind: "tool", traceId: span.traceId, parentId, agent, sessionId, userId, status, errorType, httpStatus: http, latencyMs,
        metadata: { name: toolName.slice(0, 256), source: "otlp", scope: span.scopeName.slice(0, 256) },
      };
      return { event };
    }

    const ttftSeconds = attrNumber(a, "gen_ai.response.time_to_first_chunk");
    if (ttftSeconds !== undefined && ttftSeconds < 0) throw new SpanError("gen_ai.response.time_to_first_chunk must not be negative");
    const requested = attrString(a, "gen_ai.request.model") ?? null;
    const usage = readUsage(span);
    const event: IngestEventInput = {
      id, timestamp, kind: "llm", traceId: span.traceId, parentId, agent, sessionId, userId, status, errorType, httpStatus: http, latencyMs,
      provider: attrString(a, "gen_ai.provider.name") ?? attrString(a, "gen_ai.system") ?? attrString(a, "llm.provider") ?? "anthropic",
      model: attrString(a, "gen_ai.response.model") ?? requested ?? attrString(a, "llm.model_name") ?? null,
      requestedModel: requested,
      ttftMs: ttftSeconds === undefined ? null : ttftSeconds * 1000,
      streamed: ttftSeconds !== undefined || attrBool(a, "gen_ai.request.stream") === true,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cacheReadTokens: usage.cacheReadTokens,
      cacheWrite5mTokens: usage.cacheWrite5mTokens,
      metadata: { name: span.name.slice(0, 256), source: "otlp", scope: span.scopeName.slice(0, 256) },
    };
    return { event };
  } catch (err) {
    if (err instanceof SpanError) return { rejected: err.message };
    throw err;
  }
}
