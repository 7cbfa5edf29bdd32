/** Documented caps on ingested events (README "Ingestion contract"). */
export const INGEST_LIMITS = {
  maxBodyBytes: 5 * 1024 * 1024,
  maxEventsPerBatch: 1000,
  maxIdLength: 128,
  maxStringLength: 256,
  maxTags: 32,
  maxTagKeyLength: 64,
  maxTagValueLength: 256,
  maxMetadataBytes: 16 * 1024,
  maxMetadataDepth: 8,
  maxTokens: 100_000_000,
  maxLatencyMs: 86_400_000,
  maxFutureSkewMs: 5 * 60 * 1000,
} as const;

/**
 * Ids the gateway gives its calls (sent to the client in x-pitwall-request-id before the event is
 * written). Only the gateway's own recorder may store them: a client that posted an event under
 * such an id first would take the place of the real, priced call.
 */
export const GATEWAY_EVENT_ID_PREFIX = "gw_";
