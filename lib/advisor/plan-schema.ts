import { z } from "zod";
import { FINDING_KINDS } from "./finding-schema";
import { CodeChangesSchema } from "./replay/replay-request";
import { BacktestError, Figures } from "./replay/replay-schema";

/**
 * The phased plan: what GET /api/v1/advisor/plan answers and the page draws. Pure (browser-safe).
 * Phases are cumulative: each projection assumes every earlier phase is done too.
 */
export const PHASE_IDS = ["response_cache", "prompt_caching", "streaming", "sequential_tools", "context_growth", "model_right_sizing", "batch"] as const;
export type PhaseId = (typeof PHASE_IDS)[number];
export const POLICY_PHASES = ["response_cache", "prompt_caching", "model_right_sizing"] as const satisfies readonly PhaseId[];

export const PhasePolicy = z.object({
  kind: z.enum(["routing", "cache"]),
  /** The whole document to save as a draft (the live one with this phase's change, and earlier phases'). */
  document: z.record(z.string(), z.unknown()),
  /** One line per change, for the draft's message and the page. */
  changes: z.array(z.string()),
});
export type PhasePolicy = z.infer<typeof PhasePolicy>;

export const PhaseCode = z.object({
  howTo: z.string(),
  snippet: z.string(),
  /** What the replay assumes the client does once the change is made. */
  assumes: CodeChangesSchema,
});

export const Phase = z.object({
  id: z.enum(PHASE_IDS),
  type: z.enum(["policy", "code"]),
  title: z.string(),
  finding: z.object({ kind: z.enum(FINDING_KINDS), routes: z.array(z.string().nullable()), title: z.string() }),
  policy: PhasePolicy.nullable(),
  code: PhaseCode.nullable(),
  /** Cumulative, overall: all phases up to and including this one. null when not enough data. */
  projection: Figures.nullable(),
  /**
   * $ per day this phase saves alone: the drop in projected cost per request from the phase
   * before it (or the live policy's replay) to this one, over the window's requests per day. The
   * findings' estimate for batch (not replayed) or when a projection has no cost (a note says so).
   */
  usdPerDaySaved: z.number(),
  /** Saved ms per request of this phase alone where the replay cannot see it (tool spans). */
  notes: z.array(z.string()),
});
export type Phase = z.infer<typeof Phase>;

/** The reference case the issue names: 3.2 s -> 0.5 s average latency, $0.15 -> $0.03 per request. */
export const REFERENCE_CASE = { latencyChange: -0.84, costChange: -0.8 } as const;

export const PlanAnswer = z.object({
  from: z.string(),
  to: z.string(),
  notEnoughData: z.string().nullable(),
  baseline: Figures,
  backtestError: BacktestError.nullable(),
  phases: z.array(Phase),
  /** Why a figure is missing or partial (a route whose calls have no price is left out of cost). */
  notes: z.array(z.string()).default([]),
  reference: z.object({ latencyChange: z.number(), costChange: z.number() }),
});
export type PlanAnswer = z.infer<typeof PlanAnswer>;
