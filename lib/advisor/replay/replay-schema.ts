import { z } from "zod";

/**
 * What POST /api/v1/advisor/replay answers and the page draws. Pure: safe in the browser.
 * Every figure is null when it cannot be known (no calls, no TTFT, no price), never a guess.
 */
export const Figures = z.object({
  requests: z.number().int(),
  latencyMeanMs: z.number().nullable(),
  latencyP50Ms: z.number().nullable(),
  latencyP95Ms: z.number().nullable(),
  ttftP50Ms: z.number().nullable(),
  ttftP95Ms: z.number().nullable(),
  /** What a user waits for: the TTFT of a streamed call, the whole latency otherwise. */
  perceivedP50Ms: z.number().nullable(),
  perceivedP95Ms: z.number().nullable(),
  /** null when some call's model has no price row (see unpricedModels). */
  costPerRequestUsd: z.number().nullable(),
  responseCacheHitRate: z.number().nullable(),
  /** Share of prompt tokens read from the prompt cache. */
  promptCacheHitRate: z.number().nullable(),
  /** Calls one sequential caller completes per minute (60 000 / mean latency). */
  throughputPerMin: z.number().nullable(),
  unpricedRequests: z.number().int(),
  unpricedModels: z.array(z.string()),
});
export type Figures = z.infer<typeof Figures>;

export const TRUST_METRICS = ["latencyP50Ms", "latencyP95Ms", "ttftP95Ms", "perceivedP95Ms", "costPerRequestUsd", "responseCacheHitRate", "promptCacheHitRate"] as const;
export type TrustMetric = (typeof TRUST_METRICS)[number];

/** (backtest − measured) / measured per metric: the trust shown next to each prediction. */
export const BacktestError = z.record(z.enum(TRUST_METRICS), z.number().nullable());
export type BacktestError = z.infer<typeof BacktestError>;

export const ReplayGroup = z.object({
  route: z.string().nullable(),
  /** null when the group has enough calls; else why there is no prediction. */
  notEnoughData: z.string().nullable(),
  measured: Figures,
  backtest: Figures.nullable(),
  predicted: Figures.nullable(),
  backtestError: BacktestError.nullable(),
});
export type ReplayGroup = z.infer<typeof ReplayGroup>;

export const ModelTimingView = z.object({
  model: z.string(),
  source: z.enum(["traffic", "profile"]),
  samples: z.number().int(),
  baseMs: z.number(),
  prefillMsPer1k: z.number(),
  cacheReadMsPer1k: z.number(),
  msPerOutputToken: z.number(),
  speedFactor: z.number().optional(),
});

export const ReplayAnswer = z.object({
  from: z.string(),
  to: z.string(),
  requests: z.number().int(),
  /** The whole window is too thin to judge; groups are then all notEnoughData too. */
  notEnoughData: z.string().nullable(),
  overall: ReplayGroup,
  routes: z.array(ReplayGroup),
  /** The per-model timing the replay re-timed calls with, and where each came from. */
  timing: z.array(ModelTimingView),
  notes: z.array(z.string()),
  elapsedMs: z.number(),
});
export type ReplayAnswer = z.infer<typeof ReplayAnswer>;
