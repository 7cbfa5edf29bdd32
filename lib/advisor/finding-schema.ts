import { z } from "zod";

/**
 * The advisor's findings, as `GET /api/v1/advisor/findings` answers them and the page draws them.
 * One definition: the API's zod schema and the type everyone else derives from it. Pure: safe in
 * the browser.
 */

export const FINDING_KINDS = [
  "response_cache",
  "prompt_caching",
  "streaming",
  "sequential_tools",
  "context_growth",
  "model_right_sizing",
  "batch",
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** How sure the estimate is: from the sample size and, where a replay backs it, its backtest error. */
export const CONFIDENCES = ["high", "medium", "low"] as const;
export type Confidence = (typeof CONFIDENCES)[number];

/** Below this many requests in a route (and agent) the advisor says "not enough data", never a guess. */
export const MIN_REQUESTS_PER_ROUTE = 30;

/**
 * What the fix saves, per request of the route, as positive numbers (0 when it does not touch
 * that measure). Latency savings are in ms on the route's p50, p95 and TTFT p95; `perceivedMs` is
 * the saving in what a user waits for (streaming turns the wait into the TTFT).
 */
export const Impact = z.object({
  p50Ms: z.number(),
  p95Ms: z.number(),
  ttftP95Ms: z.number(),
  perceivedMs: z.number(),
  usdPerRequest: z.number(),
  usdPerDay: z.number(),
});
export type Impact = z.infer<typeof Impact>;

export const Evidence = z.object({
  /** LLM requests of the route (and agent) in the window. */
  requests: z.number().int(),
  /** Of those, the requests the finding is about (repeats, uncached system prompts, ...). */
  affected: z.number().int(),
  /** affected / requests: the measured rate that tests compare with the reference manifest. */
  rate: z.number(),
  /** A few event ids to open in the events view, and trace ids for the trace view. */
  exampleEventIds: z.array(z.string()).max(10),
  exampleTraceIds: z.array(z.string()).max(10),
  /** Kind-specific figures (the TTL curve, the gap histogram, the candidate model, ...). */
  details: z.record(z.string(), z.unknown()),
});
export type Evidence = z.infer<typeof Evidence>;

export const Finding = z.object({
  kind: z.enum(FINDING_KINDS),
  route: z.string().nullable(),
  agent: z.string().nullable(),
  /** One line for the list: "30% of support-faq requests repeat within 10 min". */
  title: z.string(),
  /** What to do about it, in a sentence or two. */
  recommendation: z.string(),
  evidence: Evidence,
  impact: Impact,
  confidence: z.enum(CONFIDENCES),
});
export type Finding = z.infer<typeof Finding>;

/** A route (and agent) the advisor looked at but could not judge: fewer than MIN_REQUESTS_PER_ROUTE. */
export const SkippedRoute = z.object({
  route: z.string().nullable(),
  agent: z.string().nullable(),
  requests: z.number().int(),
  reason: z.string(),
});
export type SkippedRoute = z.infer<typeof SkippedRoute>;

export const FindingsAnswer = z.object({
  from: z.string(),
  to: z.string(),
  requests: z.number().int(),
  findings: z.array(Finding),
  /** Routes left out, each with its reason ("not enough data: 12 requests, 30 needed"). */
  skipped: z.array(SkippedRoute),
});
export type FindingsAnswer = z.infer<typeof FindingsAnswer>;
