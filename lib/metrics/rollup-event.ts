import type { EventRecord } from "../events/event-record";

/** One event as queued: only what rollups need, with the time as epoch ms and the cost exact. */
export type RollupEvent = Pick<
  EventRecord,
  | "kind"
  | "model"
  | "route"
  | "agent"
  | "status"
  | "latencyMs"
  | "ttftMs"
  | "inputTokens"
  | "outputTokens"
  | "cacheReadTokens"
  | "cacheWrite5mTokens"
  | "cacheWrite1hTokens"
  | "responseCache"
> & { tsMs: number; costNanoUsd: bigint };

/** A change of stored cost (a price recompute): moves money, never counts. */
export type RollupCostDelta = Pick<RollupEvent, "tsMs" | "kind" | "model" | "route" | "agent" | "status" | "responseCache"> & {
  deltaNanoUsd: bigint;
};

/**
 * The packed queue record (rollup-queue-codec.ts), one offset per RollupEvent field, little-endian:
 * tsMs f64 (ms after the row's base time) | latency f64 (NaN = none) | ttft f64 | cost nano f64 |
 * input, output, cache read, 5m write, 1h write u32 | kind, model, route, agent, status,
 * response cache i16 (dictionary index, -1 = none) | 4 bytes padding. The encoder and both
 * decoders read these offsets, so a renamed field breaks all three at once.
 */
export const PACKED = {
  tsMs: 0,
  latencyMs: 8,
  ttftMs: 16,
  costNanoUsd: 24,
  inputTokens: 32,
  outputTokens: 36,
  cacheReadTokens: 40,
  cacheWrite5mTokens: 44,
  cacheWrite1hTokens: 48,
  kind: 52,
  model: 54,
  route: 56,
  agent: 58,
  status: 60,
  responseCache: 62,
} as const satisfies Record<keyof RollupEvent, number>;

export const EVENT_BYTES = 64;
