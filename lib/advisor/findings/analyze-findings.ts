import type { CachePolicy } from "../../policies/cache-policy-schema";
import type { PriceBook } from "../../pricing/compute-cost";
import type { Finding, FindingKind, FindingsAnswer } from "../finding-schema";
import { helperFor, startAway, type AnalysisHelper } from "../helper/analysis-helper";
import type { FindingCells } from "../helper/helper-messages";
import type { Traffic } from "../traffic";
import { shareTraffic } from "../traffic-share";
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
export type AnalyzeOptions = { prices: PriceBook; projectSlug: string; liveCache?: CachePolicy; signal?: AbortSignal };

export function contextOf(traffic: Traffic, opts: AnalyzeOptions): FindingContext {
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
 * The kinds the helper thread takes while this one runs the rest: on the 1M-event bench window
 * (12 routes) prompt caching and sequential tools took 0.33 s and 0.24 s of 1.2 s, the response
 * cache 0.39 s. Split by kind, not by route: much of a kind's work is made once per window (the
 * tool spans by trace, the per-hash scratch arrays), which a split by route makes twice.
 */
export const HELPER_KINDS: readonly FindingKind[] = ["prompt_caching", "sequential_tools"];

/**
 * The kinds `kinds` (FINDERS' indices) over every group, one cell per group and kind, as the
 * helper thread runs its share; `pause` is awaited every SLICE_MS (its cancel lands there).
 */
export async function findingsOfKinds(ctx: FindingContext, groups: readonly RouteGroup[], kinds: readonly number[], pause: () => Promise<void>): Promise<FindingCells> {
  let sliceStart = Date.now();
  const cells: FindingCells = groups.map(() => []);
  for (const k of kinds) {
    for (let gi = 0; gi < groups.length; gi++) {
      cells[gi]!.push(FINDERS[k]!.find(ctx, groups[gi]!));
      if (Date.now() - sliceStart > SLICE_MS) {
        await pause();
        sliceStart = Date.now();
      }
    }
  }
  return cells;
}

/**
 * analyzeFindings one kind at a time, for a request that shows progress and can be cancelled: it
 * reports each kind as it starts (with the share of kinds done), yields to the event loop every
 * SLICE_MS so the request's abort lands, and then throws the signal's reason. The answer is the
 * same as analyzeFindings' (findings collected in its route-then-kind order before ranking).
 * With a `helper` and a large window, the HELPER_KINDS are analysed on the helper's thread
 * meanwhile, and the answer waits for them after this thread's kinds.
 */
export async function analyzeFindingsInSteps(
  traffic: Traffic,
  opts: AnalyzeOptions & { onProgress?: (kind: FindingKind, fraction: number) => void; helper?: AnalysisHelper },
): Promise<FindingsAnswer> {
  const { groups, skipped } = routeGroups(traffic);
  const ctx = contextOf(traffic, opts);
  const helper = helperFor(opts.helper, traffic.llm.length);
  const theirs = helper ? FINDERS.flatMap((f, k) => (HELPER_KINDS.includes(f.kind) ? [k] : [])) : [];
  const away =
    helper && groups.length > 0
      ? startAway(
          () =>
            helper
              .findings(shareTraffic(traffic), { kind: "findings", kinds: theirs, priceRows: opts.prices.rows, projectSlug: opts.projectSlug, ...(opts.liveCache ? { liveCache: opts.liveCache } : {}) }, opts.signal ? { signal: opts.signal } : {})
              .then((got) => {
                // One row per group, one cell per kind sent: anything else is not this window's answer (the main thread redoes it).
                if (got.length !== groups.length || got.some((row) => row.length !== theirs.length)) throw new Error("the helper's findings do not match the window's route groups");
                return got;
              }),
          () => findingsOfKinds(ctx, groups, theirs, pause),
          opts.signal,
        )
      : null;
  const cells: (Finding | null)[][] = groups.map(() => []);
  let sliceStart = Date.now();
  async function pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    opts.signal?.throwIfAborted();
    sliceStart = Date.now();
  }
  for (let k = 0; k < FINDERS.length; k++) {
    const { kind, find } = FINDERS[k]!;
    // A kind on the helper is announced in its turn too: it is being analysed, on the other thread.
    opts.onProgress?.(kind, k / FINDERS.length);
    await pause();
    if (away && theirs.includes(k)) continue;
    for (let gi = 0; gi < groups.length; gi++) {
      cells[gi]![k] = find(ctx, groups[gi]!);
      if (Date.now() - sliceStart > SLICE_MS) await pause();
    }
  }
  if (away) {
    const got = await away();
    got.forEach((row, gi) => theirs.forEach((k, j) => (cells[gi]![k] = row[j]!)));
  }
  opts.onProgress?.(FINDERS.at(-1)!.kind, 1);
  return answerOf(traffic, cells.flat().filter((f): f is Finding => f !== null), skipped);
}
