import type { PriceBook } from "../pricing/compute-cost";
import type { Finding } from "./finding-schema";
import { buildPhases, type PhaseDraft } from "./plan-phases";
import { REFERENCE_CASE, type PlanAnswer } from "./plan-schema";
import type { Figures } from "./replay/replay-schema";
import type { AnalysisHelper } from "./helper/analysis-helper";
import { costNotes, replayWithBacktest, runReplay } from "./replay/run-replay";
import type { ReplayAnswer } from "./replay/replay-schema";
import type { ReplayPolicies } from "./replay/simulate";
import { fitTimings } from "./replay/timing-fit";
import type { Traffic } from "./traffic";

const DAY_MS = 86_400_000;

/**
 * What a phase saves alone, as its projection says: the cost per request before it (the
 * previous phase's projection, or the live policy's replay) less the cost after it, over the
 * window's requests per day. So "saves ~$X/day alone" and the cumulative projections agree (a
 * finding's own estimate can count what an earlier phase already took, or calls the replay
 * prices otherwise). Batch is not replayed (the gateway does not route to the Batches API), and a
 * projection without a cost cannot say: those keep the findings' estimate and say so.
 */
function savedAlone(phase: Pick<PhaseDraft, "id" | "usdPerDaySaved" | "notes">, before: Figures | null, after: Figures | null, days: number): Pick<PhaseDraft, "usdPerDaySaved" | "notes"> {
  const b = before?.costPerRequestUsd ?? null;
  const a = after?.costPerRequestUsd ?? null;
  if (phase.id === "batch") return { usdPerDaySaved: phase.usdPerDaySaved, notes: phase.notes };
  const sameRoutes = JSON.stringify(before?.costExcludedRoutes ?? []) === JSON.stringify(after?.costExcludedRoutes ?? []);
  if (b === null || a === null || !after || !sameRoutes) {
    return { usdPerDaySaved: phase.usdPerDaySaved, notes: [...phase.notes, "The saving is the findings' estimate: the projection has no cost per request to compare."] };
  }
  // Per request over the calls the cost is over (a route left out of cost is left out here too).
  return { usdPerDaySaved: Math.round(((b - a) * (after.costRequests ?? after.requests) * 1e6) / days) / 1e6, notes: phase.notes };
}

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
  helper?: AnalysisHelper;
}): Promise<PlanAnswer> {
  const drafts = buildPhases(input.findings, input.live);
  const timing = fitTimings(input.traffic);
  const signal = input.signal ? { signal: input.signal } : {};
  // One step for the baseline and one per phase.
  const steps = drafts.length + 1;
  // The baseline is the live policy replayed: one pass, which is every phase's backtest too.
  const { answer: baseline, backtest } = await replayWithBacktest({
    traffic: input.traffic,
    live: input.live,
    candidate: input.live,
    prices: input.prices,
    timing,
    ...signal,
    onProgress: (f) => input.onProgress?.(f / steps),
  });
  const phases = [];
  const days = Math.max(input.traffic.toMs - input.traffic.fromMs, 60_000) / DAY_MS;
  // Each phase's replay is then its candidate's pass alone; with a helper, two phases run at once (one on each thread).
  const done = drafts.map(() => 0);
  const replayed: ReplayAnswer[] = [];
  const width = input.helper ? 2 : 1;
  for (let k = 0; k < drafts.length; k += width) {
    const batch = drafts.slice(k, k + width);
    const replay = (j: number) =>
      runReplay({
        traffic: input.traffic,
        live: input.live,
        candidate: batch[j]!.policies,
        code: batch[j]!.codeChanges,
        prices: input.prices,
        timing,
        ...(backtest ? { backtest } : {}),
        ...(j === 1 && input.helper ? { helper: input.helper } : {}),
        ...signal,
        onProgress: (f) => {
          done[k + j] = Math.max(done[k + j]!, f);
          input.onProgress?.((1 + done.reduce((a, b) => a + b, 0)) / steps);
        },
      });
    // The helper's phase first: its pass is posted before this thread's phase takes the loop.
    const second = batch.length > 1 ? replay(1) : null;
    const first = replay(0);
    replayed.push(...(await Promise.all(second ? [first, second] : [first])));
  }
  let before = baseline.overall.predicted;
  for (const [k, d] of drafts.entries()) {
    const r = replayed[k]!;
    const { policies: _p, codeChanges: _c, ...phase } = d;
    const projection = r.overall.predicted;
    const saved = savedAlone(phase, before, projection, days);
    // A phase that moves calls to a model without a price leaves more out of cost than the baseline: say so there.
    const sameScope = JSON.stringify(projection?.costExcludedRoutes ?? []) === JSON.stringify(baseline.overall.predicted?.costExcludedRoutes ?? []);
    phases.push({ ...phase, ...saved, notes: sameScope ? saved.notes : [...saved.notes, ...costNotes(r.routes, r.overall)], projection });
    before = projection;
  }
  input.onProgress?.(1);
  return {
    from: new Date(input.traffic.fromMs).toISOString(),
    to: new Date(input.traffic.toMs).toISOString(),
    notEnoughData: baseline.notEnoughData,
    baseline: baseline.overall.measured,
    backtestError: baseline.overall.backtestError,
    phases,
    notes: costNotes(baseline.routes, baseline.overall),
    reference: { ...REFERENCE_CASE },
  };
}
