import type { CachePolicy } from "../../policies/cache-policy-schema";
import type { PriceBook } from "../../pricing/compute-cost";
import type { Finding, FindingKind, FindingsAnswer } from "../finding-schema";
import type { Traffic } from "../traffic";
import { batchFinding } from "./batch";
import { contextGrowthFinding } from "./context-growth";
import { modelRightSizingFinding } from "./model-right-sizing";
import { promptCachingFinding } from "./prompt-caching";
import { responseCacheFinding } from "./response-cache";
import { MIN_REQUESTS_PER_ROUTE } from "../finding-schema";
import { modelCallsOf, routeGroups, type FindingContext, type RouteGroup } from "./route-groups";
import { sequentialToolsFinding } from "./sequential-tools";
import { streamingFinding } from "./streaming";

const DAY_MS = 86_400_000;

type Finder = (ctx: FindingContext, g: RouteGroup) => Finding | null;

/**
 * The kinds that judge what the model did: they see only the route's calls that reached the
 * model (response-cache hits left out, modelCallsOf), and none when fewer than
 * MIN_REQUESTS_PER_ROUTE did. The response cache sees every request; sequential tools reads spans.
 */
const modelCalls = (find: Finder): Finder => (ctx, g) => {
  const m = modelCallsOf(ctx.traffic, g);
  return m.rows.length >= MIN_REQUESTS_PER_ROUTE ? find(ctx, m) : null;
};

/** Every kind, each a pure function of one route's calls. */
const FINDERS: readonly { kind: FindingKind; find: Finder }[] = [
  { kind: "response_cache", find: responseCacheFinding },
  { kind: "prompt_caching", find: modelCalls(promptCachingFinding) },
  { kind: "streaming", find: modelCalls(streamingFinding) },
  { kind: "sequential_tools", find: sequentialToolsFinding },
  { kind: "context_growth", find: modelCalls(contextGrowthFinding) },
  { kind: "model_right_sizing", find: modelCalls(modelRightSizingFinding) },
  { kind: "batch", find: modelCalls(batchFinding) },
];

/** Yield to the event loop at most this often, so a closed request's abort is seen and progress is sent. */
const SLICE_MS = 50;

/** `liveCache`: the project's live response-cache policy, which the cache finding builds on. */
type AnalyzeOptions = { prices: PriceBook; projectSlug: string; liveCache?: CachePolicy; signal?: AbortSignal };

function contextOf(traffic: Traffic, opts: AnalyzeOptions): FindingContext {
  return {
    traffic,
    prices: opts.prices,
    days: Math.max(traffic.toMs - traffic.fromMs, 60_000) / DAY_MS,
    projectSlug: opts.projectSlug,
    ...(opts.liveCache ? { liveCache: opts.liveCache } : {}),
  };
}

function answerOf(traffic: Traffic, findings: Finding[], skipped: FindingsAnswer["skipped"]): FindingsAnswer {
  findings.sort((a, b) => b.impact.usdPerDay - a.impact.usdPerDay || b.impact.perceivedMs - a.impact.perceivedMs);
  return {
    from: new Date(traffic.fromMs).toISOString(),
    to: new Date(traffic.toMs).toISOString(),
    requests: traffic.llm.length,
    findings,
    skipped,
  };
}

/**
 * The findings of a window, per route and agent, ranked by dollars per day saved (then by the
 * perceived wait saved), and the routes skipped for too few requests. Pure over the loaded traffic.
 */
export function analyzeFindings(traffic: Traffic, opts: AnalyzeOptions): FindingsAnswer {
  const { groups, skipped } = routeGroups(traffic);
  const ctx = contextOf(traffic, opts);
  const findings: Finding[] = [];
  for (const g of groups) {
    opts.signal?.throwIfAborted();
    for (const { find } of FINDERS) {
      const f = find(ctx, g);
      if (f) findings.push(f);
    }
  }
  return answerOf(traffic, findings, skipped);
}

/**
 * analyzeFindings one kind at a time, for a request that shows progress and can be cancelled: it
 * reports each kind as it starts (with the share of kinds done), yields to the event loop every
 * SLICE_MS so the request's abort lands, and then throws the signal's reason. The answer is the
 * same as analyzeFindings' (findings collected in its route-then-kind order before ranking).
 */
export async function analyzeFindingsInSteps(
  traffic: Traffic,
  opts: AnalyzeOptions & { onProgress?: (kind: FindingKind, fraction: number) => void },
): Promise<FindingsAnswer> {
  const { groups, skipped } = routeGroups(traffic);
  const ctx = contextOf(traffic, opts);
  const cells: (Finding | null)[][] = groups.map(() => []);
  let sliceStart = Date.now();
  const pause = async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    opts.signal?.throwIfAborted();
    sliceStart = Date.now();
  };
  for (let k = 0; k < FINDERS.length; k++) {
    const { kind, find } = FINDERS[k]!;
    opts.onProgress?.(kind, k / FINDERS.length);
    await pause();
    for (let gi = 0; gi < groups.length; gi++) {
      cells[gi]![k] = find(ctx, groups[gi]!);
      if (Date.now() - sliceStart > SLICE_MS) await pause();
    }
  }
  opts.onProgress?.(FINDERS.at(-1)!.kind, 1);
  return answerOf(traffic, cells.flat().filter((f): f is Finding => f !== null), skipped);
}
