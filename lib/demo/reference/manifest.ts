/**
 * The reference workload's planted bottlenecks, route by route: the one definition the workload
 * generator builds its requests from and the advisor's tests compare findings against. Rates are
 * shares of the route's LLM requests unless said otherwise; token figures use the simulator's
 * ~4 characters per token.
 *
 * `reference` reproduces the reference case (no caching, 30% repeats, nothing streamed,
 * 5 x 200 ms sequential tools, contexts growing to ~100K tokens, Sonnet/Opus everywhere while half
 * the requests are short and simple, a nightly report eligible for the Batches API). `clean` has
 * none of these, so any finding on it is a false positive.
 */

export const WORKLOAD_VARIANTS = ["reference", "clean"] as const;
export type WorkloadVariant = (typeof WORKLOAD_VARIANTS)[number];

/** The tag a non-interactive route carries (x-pitwall-tags): the advisor's batch-eligibility signal. */
export const NON_INTERACTIVE_TAG = { key: "interactive", value: "false" } as const;

/**
 * The advisor's finding kinds (lib/advisor/finding-schema.ts FINDING_KINDS), spelled here so the
 * demo area does not import the advisor's (the advisor's tests import this manifest).
 */
export type PlantedFinding = "response_cache" | "prompt_caching" | "streaming" | "sequential_tools" | "context_growth" | "model_right_sizing" | "batch";

export type RouteManifest = {
  route: string;
  agent: string;
  model: string;
  /** Share of the workload's LLM requests on this route (the shares sum to 1). */
  requestShare: number;
  /** Requests whose promptHash an earlier request of the route already had (exact repeats). */
  repeatShare: number;
  /** Estimated tokens of the system prompt (the same text on every request of the route). */
  systemTokens: number;
  /** Requests whose system prompt is at or above the model's cache minimum and sent without cache_control. */
  uncachedSystemShare: number;
  /** Requests sent with `stream: true`. */
  streamedShare: number;
  /** Output tokens every reply has (the workload asks the simulator for this length). */
  outputTokens: number;
  /** LLM calls per session: 1 for single-shot routes. */
  turnsPerSession: number;
  /** Input tokens a session's context grows by per turn (0 for single-shot routes). */
  contextGrowthPerTurn: number;
  /** Input tokens of a session's last turn, about. */
  maxContextTokens: number;
  /** Tool spans per trace (one trace per LLM call that runs tools), each `toolMs` long. */
  toolsPerTrace: number;
  toolMs: number;
  /** Whether a trace's tools run one after another (true) or all at once. */
  toolsSequential: boolean;
  /** Requests with short input (under 1K tokens) and short output (under 100 tokens). */
  shortSimpleShare: number;
  /** The cheaper model a short-and-simple route should move to; null when right-sized. */
  rightSizedModel: string | null;
  /** false: tagged interactive=false, never streamed, tolerant of delay (Batches API eligible). */
  interactive: boolean;
  /** The findings the advisor must report on this route, and no others. */
  planted: readonly PlantedFinding[];
};

export type WorkloadManifest = { variant: WorkloadVariant; routes: readonly RouteManifest[] };

const SONNET = "claude-sonnet-4-6";
const OPUS = "claude-opus-4-6";
const HAIKU = "claude-haiku-4-5";

const base = {
  repeatShare: 0,
  uncachedSystemShare: 0,
  streamedShare: 0,
  turnsPerSession: 1,
  contextGrowthPerTurn: 0,
  toolsPerTrace: 0,
  toolMs: 0,
  toolsSequential: false,
  shortSimpleShare: 0,
  rightSizedModel: null,
  interactive: true,
  planted: [],
} satisfies Partial<RouteManifest>;

export const REFERENCE_MANIFEST: WorkloadManifest = {
  variant: "reference",
  routes: [
    {
      ...base,
      route: "ticket-triage",
      agent: "triage-bot",
      model: SONNET,
      requestShare: 0.5,
      repeatShare: 0.4,
      systemTokens: 300,
      outputTokens: 40,
      maxContextTokens: 450,
      shortSimpleShare: 1,
      rightSizedModel: HAIKU,
      // Its replies are 40 tokens: streaming would save little, so it is not planted here.
      planted: ["response_cache", "model_right_sizing"],
    },
    {
      ...base,
      route: "support-chat",
      agent: "support-bot",
      model: SONNET,
      requestShare: 0.2,
      repeatShare: 0.5,
      systemTokens: 20_000,
      uncachedSystemShare: 1,
      outputTokens: 350,
      maxContextTokens: 20_100,
      planted: ["response_cache", "prompt_caching", "streaming"],
    },
    {
      ...base,
      route: "research",
      agent: "research-bot",
      model: OPUS,
      requestShare: 0.2,
      systemTokens: 600,
      outputTokens: 400,
      turnsPerSession: 10,
      contextGrowthPerTurn: 10_000,
      maxContextTokens: 100_200,
      toolsPerTrace: 5,
      toolMs: 200,
      toolsSequential: true,
      planted: ["streaming", "sequential_tools", "context_growth"],
    },
    {
      ...base,
      route: "nightly-report",
      agent: "report-bot",
      model: SONNET,
      requestShare: 0.1,
      systemTokens: 500,
      outputTokens: 1_200,
      maxContextTokens: 3_500,
      interactive: false,
      // Nobody waits on a nightly job: batching is the fix, not streaming.
      planted: ["batch"],
    },
  ],
};

/**
 * The same agents without the bottlenecks: unique prompts, the long system prompt cached, every
 * call streamed, tools in parallel, short sessions, the short route on Haiku, nothing tagged
 * non-interactive.
 */
export const CLEAN_MANIFEST: WorkloadManifest = {
  variant: "clean",
  routes: REFERENCE_MANIFEST.routes.map((r) => {
    const clean: RouteManifest = { ...r, repeatShare: 0, uncachedSystemShare: 0, streamedShare: 1, interactive: true, planted: [] };
    if (r.route === "ticket-triage") return { ...clean, model: HAIKU, rightSizedModel: null };
    if (r.route === "research") return { ...clean, turnsPerSession: 2, contextGrowthPerTurn: 2_000, maxContextTokens: 4_200, toolsSequential: false };
    return clean;
  }),
};

export const WORKLOAD_MANIFESTS: Readonly<Record<WorkloadVariant, WorkloadManifest>> = { reference: REFERENCE_MANIFEST, clean: CLEAN_MANIFEST };

/** Request-weighted share of the workload with a property: the overall figures the issue quotes. */
export function overallShare(manifest: WorkloadManifest, pick: (r: RouteManifest) => number): number {
  return manifest.routes.reduce((sum, r) => sum + r.requestShare * pick(r), 0);
}
