import type { PriceBook } from "../../pricing/compute-cost";
import type { Finding, FindingsAnswer } from "../finding-schema";
import type { Traffic } from "../traffic";
import { batchFinding } from "./batch";
import { contextGrowthFinding } from "./context-growth";
import { modelRightSizingFinding } from "./model-right-sizing";
import { promptCachingFinding } from "./prompt-caching";
import { responseCacheFinding } from "./response-cache";
import { routeGroups, type FindingContext, type RouteGroup } from "./route-groups";
import { sequentialToolsFinding } from "./sequential-tools";
import { streamingFinding } from "./streaming";

const DAY_MS = 86_400_000;

/** Every kind, each a pure function of one route's calls. */
const FINDERS: readonly ((ctx: FindingContext, g: RouteGroup) => Finding | null)[] = [
  responseCacheFinding,
  promptCachingFinding,
  streamingFinding,
  sequentialToolsFinding,
  contextGrowthFinding,
  modelRightSizingFinding,
  batchFinding,
];

/**
 * The findings of a window, per route and agent, ranked by dollars per day saved (then by the
 * perceived wait saved), and the routes skipped for too few requests. Pure over the loaded traffic.
 */
export function analyzeFindings(traffic: Traffic, opts: { prices: PriceBook; projectSlug: string; signal?: AbortSignal }): FindingsAnswer {
  const { groups, skipped } = routeGroups(traffic);
  const ctx: FindingContext = {
    traffic,
    prices: opts.prices,
    days: Math.max(traffic.toMs - traffic.fromMs, 60_000) / DAY_MS,
    projectSlug: opts.projectSlug,
  };
  const findings: Finding[] = [];
  for (const g of groups) {
    opts.signal?.throwIfAborted();
    for (const find of FINDERS) {
      const f = find(ctx, g);
      if (f) findings.push(f);
    }
  }
  findings.sort((a, b) => b.impact.usdPerDay - a.impact.usdPerDay || b.impact.perceivedMs - a.impact.perceivedMs);
  return {
    from: new Date(traffic.fromMs).toISOString(),
    to: new Date(traffic.toMs).toISOString(),
    requests: traffic.llm.length,
    findings,
    skipped,
  };
}
