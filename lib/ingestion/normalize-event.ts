import type { PriceBook } from "../pricing/compute-cost";
import { costNanoUsd, promptTokens, usdToNano } from "../pricing/compute-cost";
import { INGEST_LIMITS } from "./limits";
import type { EventRecord } from "../events/event-record";
import type { IngestEvent } from "./event-schema";

export type TimeWindow = { now: number; retentionDays: number };

/** Returns the record, or an error message for a timestamp outside the accepted window. */
export function normalizeEvent(e: IngestEvent, prices: PriceBook, window: TimeWindow): EventRecord | string {
  const at = new Date(e.timestamp);
  const t = at.getTime();
  if (Number.isNaN(t)) return "timestamp: not a valid date";
  if (t > window.now + INGEST_LIMITS.maxFutureSkewMs) return "timestamp: more than 5 minutes in the future";
  if (t < window.now - window.retentionDays * 86_400_000) {
    return `timestamp: older than the ${window.retentionDays}-day retention window`;
  }

  const usage = {
    inputTokens: e.inputTokens ?? 0,
    outputTokens: e.outputTokens ?? 0,
    cacheReadTokens: e.cacheReadTokens,
    cacheWrite5mTokens: e.cacheWrite5mTokens,
    cacheWrite1hTokens: e.cacheWrite1hTokens,
  };

  let cost = 0n;
  let costSource: EventRecord["costSource"] = "unpriced";
  if (e.kind === "count_tokens") {
    costSource = "computed"; // counting tokens is free, whatever a sender claims
  } else if (e.costUsd !== undefined && e.costUsd !== null) {
    cost = usdToNano(e.costUsd);
    costSource = "client";
  } else if (e.model) {
    const price = prices.find(e.model, at, promptTokens(usage));
    if (price) {
      cost = costNanoUsd(price, usage);
      costSource = "computed";
    }
  } else if (e.kind === "tool") {
    costSource = "computed"; // a tool call with no model costs nothing in tokens
  }

  // One plain literal in EventRecord's field order (no spread), so every record has the same shape.
  return {
    id: e.id,
    ts: at.toISOString(),
    kind: e.kind,
    agent: e.agent ?? null,
    route: e.route ?? null,
    sessionId: e.sessionId ?? null,
    traceId: e.traceId ?? null,
    parentId: e.parentId ?? null,
    userId: e.userId ?? null,
    provider: e.provider,
    model: e.model ?? null,
    requestedModel: e.requestedModel ?? null,
    status: e.status,
    errorType: e.errorType ?? null,
    httpStatus: e.httpStatus ?? null,
    latencyMs: e.latencyMs ?? null,
    ttftMs: e.ttftMs ?? null,
    streamed: e.streamed,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheReadTokens: usage.cacheReadTokens,
    cacheWrite5mTokens: usage.cacheWrite5mTokens,
    cacheWrite1hTokens: usage.cacheWrite1hTokens,
    responseCache: e.responseCache,
    costNanoUsd: cost.toString(),
    costSource,
    promptHash: e.promptHash ?? null,
    systemHash: e.systemHash ?? null,
    systemTokens: e.systemTokens ?? null,
    messageCount: e.messageCount ?? null,
    toolCount: e.toolCount ?? null,
    policyVersion: e.policyVersion ?? null,
    requestedCacheTtlSec: e.requestedCacheTtlSec ?? null,
    tags: e.tags,
    metadata: e.metadata,
  };
}
