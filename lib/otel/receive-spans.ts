import type { Db } from "@/db/client";
import { ingestBatch } from "../ingestion/ingest-batch";
import type { IngestEventInput } from "../ingestion/event-schema";
import { mapSpan } from "./genai-span";
import type { DecodedRequest } from "./otlp-span";
import { receiverStats } from "./receiver-stats";

export type ReceiveResult = {
  accepted: number;
  duplicates: number;
  ignored: number;
  rejected: number;
  /** The OTLP partialSuccess.errorMessage: why spans were rejected (first few), and what was ignored. */
  message: string;
};

const MAX_REASONS = 5;

/**
 * Maps every span of a request and stores the GenAI ones through the one ingest path (validation,
 * pricing, rollups, one transaction): all of the request's valid events are stored, or none are.
 */
export async function receiveSpans(db: Db, projectId: string, request: DecodedRequest): Promise<ReceiveResult> {
  const events: IngestEventInput[] = [];
  const spanIds: string[] = [];
  const reasons: string[] = [];
  let rejected = 0;
  let ignored = 0;
  const reject = (spanId: string | null, why: string) => {
    rejected++;
    if (reasons.length < MAX_REASONS) reasons.push(spanId ? `span ${spanId}: ${why}` : why);
  };

  for (const result of request.spans()) {
    if ("rejected" in result) {
      reject(result.spanId, result.rejected);
      continue;
    }
    const mapped = mapSpan(result.span);
    if ("ignored" in mapped) ignored++;
    else if ("rejected" in mapped) reject(result.span.spanId, mapped.rejected);
    else {
      events.push(mapped.event);
      spanIds.push(result.span.spanId);
    }
  }

  const stored = events.length > 0 ? await ingestBatch(db, projectId, events) : { accepted: 0, duplicates: 0, rejected: [] };
  for (const r of stored.rejected) reject(spanIds[r.index] ?? null, r.error);

  receiverStats.accepted += stored.accepted;
  receiverStats.duplicates += stored.duplicates;
  receiverStats.ignored += ignored;
  receiverStats.rejected += rejected;

  const parts: string[] = [];
  if (rejected > 0) parts.push(`${rejected} span${rejected === 1 ? "" : "s"} rejected: ${reasons.join("; ")}${rejected > reasons.length ? "; …" : ""}`);
  if (ignored > 0) parts.push(`${ignored} span${ignored === 1 ? "" : "s"} ignored (not LLM or tool calls)`);
  return { accepted: stored.accepted, duplicates: stored.duplicates, ignored, rejected, message: parts.join(". ") };
}
