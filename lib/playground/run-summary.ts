import type { CallMeasurement } from "./measurement";
import { pairwiseVerdicts, percentiles, type PairVerdict, type Percentiles, type Statistic } from "./stats";

export type PaneSummary = {
  pane: string;
  calls: number;
  ok: number;
  errors: number;
  aborted: number;
  ttftMs: Percentiles;
  latencyMs: Percentiles;
  /** nano-USD per call (mean and p95 are display figures; each call's cost is exact). */
  costNanoUsd: Percentiles;
  /** Share of successful calls that read part of the prompt from the prompt cache. */
  promptCacheHitShare: number | null;
  /** Share of successful calls the response cache answered. */
  responseCacheHitShare: number | null;
};

export type RunSummary = { panes: PaneSummary[]; verdicts: PairVerdict[] };

/**
 * The summary table and verdicts of a run, from its calls. Percentiles and the verdict use only
 * successful calls (an error's latency says nothing about the configuration's speed); errors and
 * aborts are counted.
 */
export function summarizeRun(calls: readonly CallMeasurement[], paneNames: readonly string[], statistic: Statistic = "p95"): RunSummary {
  const panes = paneNames.map((pane): PaneSummary & { okCalls: CallMeasurement[] } => {
    const mine = calls.filter((c) => c.pane === pane);
    const okCalls = mine.filter((c) => c.status === "ok");
    const share = (pred: (c: CallMeasurement) => boolean) => (okCalls.length === 0 ? null : okCalls.filter(pred).length / okCalls.length);
    return {
      pane,
      okCalls,
      calls: mine.length,
      ok: okCalls.length,
      errors: mine.filter((c) => c.status === "error").length,
      aborted: mine.filter((c) => c.status === "aborted").length,
      ttftMs: percentiles(okCalls.flatMap((c) => (c.ttftMs === null ? [] : [c.ttftMs]))),
      latencyMs: percentiles(okCalls.flatMap((c) => (c.latencyMs === null ? [] : [c.latencyMs]))),
      costNanoUsd: percentiles(okCalls.map((c) => Number(c.costNanoUsd))),
      promptCacheHitShare: share((c) => c.cacheReadTokens > 0),
      responseCacheHitShare: share((c) => c.responseCache === "hit"),
    };
  });
  const verdicts = pairwiseVerdicts(
    panes.map((p) => ({
      name: p.pane,
      latencyMs: p.okCalls.flatMap((c) => (c.latencyMs === null ? [] : [c.latencyMs])),
      costNanoUsd: p.okCalls.map((c) => Number(c.costNanoUsd)),
    })),
    statistic,
  );
  return { panes: panes.map(({ okCalls: _ok, ...rest }) => rest), verdicts };
}

/** The one line the experiments list shows: every pair's sentence, or why there is none. */
export function verdictLine(summary: RunSummary): string {
  return summary.verdicts.map((v) => v.text).join(" ");
}
