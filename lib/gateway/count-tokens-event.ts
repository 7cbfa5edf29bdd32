import type { EventStatus } from "../events/event-enums";
import type { IngestEventInput } from "../ingestion/event-schema";
import { gatewayEventBasics, safeText } from "./call-event";
import type { GatewayHints } from "./gateway-headers";

/** What the gateway learned about one count_tokens call. */
export type CountTokensOutcome = {
  id: string;
  startedAtMs: number;
  latencyMs: number;
  hints: GatewayHints;
  requestedModel: string;
  servedModel: string;
  status: EventStatus;
  httpStatus: number;
  errorType: string | null;
  /** The upstream's `input_tokens` answer; null when there was none. */
  countedInputTokens: number | null;
  messageCount: number;
  toolCount: number;
  policyVersion: number | null;
  ruleId?: string;
  upstreamRequestId?: string;
};

/**
 * The event of one count_tokens call: its own kind, so no dashboard counts it as a model call;
 * its token fields are 0 (nothing was billed) and the count it answered is in
 * `metadata.countedInputTokens`. Ingestion prices the kind at 0.
 */
export function countTokensEvent(o: CountTokensOutcome): IngestEventInput {
  const metadata: Record<string, unknown> = { gatewayRequestId: o.id };
  if (o.countedInputTokens !== null) metadata.countedInputTokens = o.countedInputTokens;
  if (o.ruleId) metadata.ruleId = o.ruleId;
  if (o.upstreamRequestId) metadata.upstreamRequestId = safeText(o.upstreamRequestId, 128);
  // Assigned onto the basics, not spread into a new literal: see gatewayEventBasics.
  const fields = {
    kind: "count_tokens",
    streamed: false,
    inputTokens: 0,
    outputTokens: 0,
    responseCache: "none",
    messageCount: Math.min(o.messageCount, 1_000_000),
    toolCount: Math.min(o.toolCount, 10_000),
    metadata,
  } satisfies Partial<IngestEventInput>;
  return Object.assign(gatewayEventBasics(o), fields);
}
