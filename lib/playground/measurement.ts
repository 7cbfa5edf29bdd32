import type { EventRow } from "@/db/schema";

/**
 * One call of a run as measured by the gateway and stored by the recorder: the figures a pane
 * shows, the summary aggregates and the export writes. Cost is nano-USD as a decimal string (an
 * exact integer that JSON can carry).
 */
export type CallMeasurement = {
  eventId: string;
  pane: string;
  ts: string;
  status: EventRow["status"];
  errorType: string | null;
  httpStatus: number | null;
  model: string | null;
  requestedModel: string | null;
  ttftMs: number | null;
  latencyMs: number | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  costNanoUsd: string;
  responseCache: EventRow["responseCache"];
};

export function measurementOf(row: EventRow): CallMeasurement {
  return {
    eventId: row.id,
    pane: row.tags.pane ?? "",
    ts: row.ts.toISOString(),
    status: row.status,
    errorType: row.errorType,
    httpStatus: row.httpStatus,
    model: row.model,
    requestedModel: row.requestedModel,
    ttftMs: row.ttftMs,
    latencyMs: row.latencyMs,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    cacheReadTokens: row.cacheReadTokens,
    cacheWrite5mTokens: row.cacheWrite5mTokens,
    cacheWrite1hTokens: row.cacheWrite1hTokens,
    costNanoUsd: row.costNanoUsd.toString(),
    responseCache: row.responseCache,
  };
}
