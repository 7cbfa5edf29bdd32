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
  /**
   * null when some call's model has no price row (see unpricedModels). Overall, a route with an
   * unpriced call is left out instead (costExcludedRoutes): cost is over the other routes' calls.
   */
  costPerRequestUsd: z.number().nullable(),
  /** Routes left out of costPerRequestUsd (overall figures only): some of their calls have no price. */
  costExcludedRoutes: z.array(z.string().nullable()).default([]),
  /** The calls costPerRequestUsd is over: `requests` less those of costExcludedRoutes. */
  costRequests: z.number().int().min(0).optional(),
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

/**
 * How fast one model answers, as the replay re-times a call moved to it (lib/advisor/replay/timing-fit.ts):
 * TTFT = base + prefill per 1K uncached prompt tokens + per 1K cache-read tokens; the total adds
 * ms per output token.
 */
export const ModelTimingView = z.object({
  model: z.string(),
  /** "traffic": fitted from this window's calls; "profile": the simulator's table (no traffic). */
  source: z.enum(["traffic", "profile"]),
  samples: z.number().int(),
  baseMs: z.number(),
  prefillMsPer1k: z.number(),
  cacheReadMsPer1k: z.number(),
  msPerOutputToken: z.number(),
  /** For a profile: the factor the table was scaled by to this traffic's observed speed. */
  speedFactor: z.number().optional(),
  /**
   * Where the output speed came from: streamed calls ("streamed"), the regression on totals
   * ("fit"), or, when neither can tell it apart from the first token's wait, the profile table's
   * speed scaled to how fast this model's calls ran against the table ("table").
   */
  speedSource: z.enum(["streamed", "fit", "table"]).optional(),
  /** "table" when no call of the window read the prompt cache: the table's read cost, scaled by the fitted prefill's ratio to the table's. */
  cacheReadSource: z.enum(["fit", "table"]).optional(),
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
