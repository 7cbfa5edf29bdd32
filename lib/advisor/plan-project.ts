import type { PriceBook } from "../pricing/compute-cost";
import type { Finding } from "./finding-schema";
import { buildPhases } from "./plan-phases";
import { REFERENCE_CASE, type PlanAnswer } from "./plan-schema";
import { runReplay } from "./replay/run-replay";
import type { ReplayPolicies } from "./replay/simulate";
import { fitTimings } from "./replay/timing-fit";
import type { Traffic } from "./traffic";

/**
 * The plan with its cumulative projections: each phase replays the window under every policy
 * and code change up to it (one timing fit shared by all). Reads only; writes nothing.
 */
export async function projectPlan(input: {
  traffic: Traffic;
  findings: readonly Finding[];
  live: ReplayPolicies;
  prices: PriceBook;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}): Promise<PlanAnswer> {
  const drafts = buildPhases(input.findings, input.live);
  const timing = fitTimings(input.traffic);
  const steps = Math.max(1, drafts.length);
  const baseline = await runReplay({ traffic: input.traffic, live: input.live, candidate: input.live, prices: input.prices, timing, ...(input.signal ? { signal: input.signal } : {}) });
  const phases = [];
  for (const [k, d] of drafts.entries()) {
    const r = await runReplay({
      traffic: input.traffic,
      live: input.live,
      candidate: d.policies,
      code: d.codeChanges,
      prices: input.prices,
      timing,
      ...(input.signal ? { signal: input.signal } : {}),
      onProgress: (f) => input.onProgress?.((k + f) / steps),
    });
    const { policies: _p, codeChanges: _c, ...phase } = d;
    phases.push({ ...phase, projection: r.overall.predicted });
  }
  input.onProgress?.(1);
  return {
    from: new Date(input.traffic.fromMs).toISOString(),
    to: new Date(input.traffic.toMs).toISOString(),
    notEnoughData: baseline.notEnoughData,
    baseline: baseline.overall.measured,
    backtestError: baseline.overall.backtestError,
    phases,
    reference: { ...REFERENCE_CASE },
  };
}
