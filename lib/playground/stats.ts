import { mean, quantileSorted } from "simple-statistics";
import { seededRandom } from "../seeded-random";

/**
 * The playground's statistics: percentiles per pane and a pairwise verdict. Pure and browser-safe
 * (the page and the API share it). Quantiles come from simple-statistics; the bootstrap draws
 * from a seeded PRNG so a verdict is reproducible for the same samples.
 */

export type Percentiles = { n: number; p50: number | null; p95: number | null; p99: number | null; mean: number | null };

function sorted(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
}

/** p50/p95/p99 and the mean of the finite values; null when there are none (a gap, not a zero). */
export function percentiles(values: readonly number[]): Percentiles {
  const s = sorted(values);
  if (s.length === 0) return { n: 0, p50: null, p95: null, p99: null, mean: null };
  return { n: s.length, p50: quantileSorted(s, 0.5), p95: quantileSorted(s, 0.95), p99: quantileSorted(s, 0.99), mean: mean(s) };
}

export { seededRandom };

export type Statistic = "p50" | "p95";
const Q: Record<Statistic, number> = { p50: 0.5, p95: 0.95 };

export type RatioInterval = { ratio: number; lo: number; hi: number };

/**
 * The ratio stat(a) / stat(b) with a 95% percentile-bootstrap interval: both samples are
 * resampled with replacement `iterations` times. Null when either sample is empty or a
 * statistic is 0 (a ratio of nothing).
 */
export function bootstrapRatio(
  a: readonly number[],
  b: readonly number[],
  statistic: Statistic,
  opts: { iterations?: number; seed?: number } = {},
): RatioInterval | null {
  const sa = sorted(a);
  const sb = sorted(b);
  if (sa.length === 0 || sb.length === 0) return null;
  const q = Q[statistic];
  const den = quantileSorted(sb, q);
  if (den <= 0) return null;
  const ratio = quantileSorted(sa, q) / den;
  const rand = seededRandom(opts.seed ?? 1);
  const iterations = opts.iterations ?? 2000;
  const ratios: number[] = [];
  const ra = new Array<number>(sa.length);
  const rb = new Array<number>(sb.length);
  for (let i = 0; i < iterations; i++) {
    for (let j = 0; j < sa.length; j++) ra[j] = sa[Math.floor(rand() * sa.length)]!;
    for (let j = 0; j < sb.length; j++) rb[j] = sb[Math.floor(rand() * sb.length)]!;
    ra.sort((x, y) => x - y);
    rb.sort((x, y) => x - y);
    const d = quantileSorted(rb, q);
    if (d > 0) ratios.push(quantileSorted(ra, q) / d);
  }
  if (ratios.length === 0) return null;
  ratios.sort((x, y) => x - y);
  return { ratio, lo: quantileSorted(ratios, 0.025), hi: quantileSorted(ratios, 0.975) };
}

/**
 * The plain word for an interval on a ratio:
 * - "no difference": it spans 1 and stays inside the equivalence margin (1/1.25 to 1.25): any
 *   difference left is smaller than 25%;
 * - "not enough runs": it spans 1 but is wider (more runs would tell);
 * - "clear": it excludes 1 and its near end is at least 10% away from 1;
 * - "likely": it excludes 1, but only just.
 */
export type Certainty = "clear" | "likely" | "not enough runs" | "no difference";

export const MIN_RUNS_FOR_VERDICT = 5;
export const EQUIVALENCE_MARGIN = 1.25;

export function certaintyOf(ci: RatioInterval): Certainty {
  if (ci.lo <= 1 && ci.hi >= 1) return ci.lo >= 1 / EQUIVALENCE_MARGIN && ci.hi <= EQUIVALENCE_MARGIN ? "no difference" : "not enough runs";
  const near = ci.lo > 1 ? ci.lo : 1 / ci.hi;
  return near >= 1.1 ? "clear" : "likely";
}

export type PaneSample = {
  name: string;
  /** Total latency (ms) of each successful call. */
  latencyMs: number[];
  /** Cost of each call, in nano-USD (exact integers; the mean is a display figure). */
  costNanoUsd: number[];
};

export type PairVerdict = {
  /** The pane compared against (the slower one when there is a difference). */
  a: string;
  b: string;
  statistic: Statistic;
  /** stat(a) / stat(b): above 1 means b is faster. */
  interval: RatioInterval | null;
  certainty: Certainty;
  /** mean cost of b as a share of a's (0.38 = 38%); null when a costs nothing. */
  costShare: number | null;
  runs: { a: number; b: number };
  text: string;
};

function fmtRatio(r: number): string {
  return r >= 10 ? r.toFixed(0) : r.toFixed(r < 1 ? 2 : 1);
}

/**
 * Compares two panes on total latency at `statistic`, ordered so the sentence reads "B is Nx
 * faster…": e.g. "B is 2.4x faster at p95 (95% CI 1.9-3.1x) and costs 38% of A per call; 30 runs
 * each; clear." Too few runs, or an interval spanning 1, says "not enough runs".
 */
export function comparePanes(x: PaneSample, y: PaneSample, statistic: Statistic = "p95", seed = 1): PairVerdict {
  const nx = sorted(x.latencyMs).length;
  const ny = sorted(y.latencyMs).length;
  const px = percentiles(x.latencyMs)[statistic];
  const py = percentiles(y.latencyMs)[statistic];
  // a is the slower pane, so the ratio reads as "b is r times faster".
  const [a, b] = px !== null && py !== null && py > px ? [y, x] : [x, y];
  const runs = { a: a === x ? nx : ny, b: b === x ? nx : ny };
  const costA = a.costNanoUsd.length ? mean(a.costNanoUsd) : null;
  const costB = b.costNanoUsd.length ? mean(b.costNanoUsd) : null;
  const costShare = costA && costA > 0 && costB !== null ? costB / costA : null;
  const runsText = runs.a === runs.b ? `${runs.a} runs each` : `${runs.a} and ${runs.b} runs`;
  const costText = costShare === null ? "" : ` and costs ${Math.round(costShare * 100)}% of ${a.name} per call`;

  if (Math.min(nx, ny) < MIN_RUNS_FOR_VERDICT) {
    return { a: a.name, b: b.name, statistic, interval: null, certainty: "not enough runs", costShare, runs, text: `${a.name} vs ${b.name}: ${runsText}; not enough runs (at least ${MIN_RUNS_FOR_VERDICT} each).` };
  }
  const interval = bootstrapRatio(a.latencyMs, b.latencyMs, statistic, { seed });
  if (!interval) {
    return { a: a.name, b: b.name, statistic, interval: null, certainty: "not enough runs", costShare, runs, text: `${a.name} vs ${b.name}: ${runsText}; not enough runs.` };
  }
  const certainty = certaintyOf(interval);
  const ci = `95% CI ${fmtRatio(interval.lo)}-${fmtRatio(interval.hi)}x`;
  const head =
    certainty === "no difference" || certainty === "not enough runs"
      ? `${a.name} and ${b.name} are within ${fmtRatio(interval.ratio)}x at ${statistic} (${ci})`
      : `${b.name} is ${fmtRatio(interval.ratio)}x faster at ${statistic} (${ci})`;
  return { a: a.name, b: b.name, statistic, interval, certainty, costShare, runs, text: `${head}${costText}; ${runsText}; ${certainty}.` };
}

/** Every pair of panes, in pane order. */
export function pairwiseVerdicts(panes: readonly PaneSample[], statistic: Statistic = "p95"): PairVerdict[] {
  const out: PairVerdict[] = [];
  for (let i = 0; i < panes.length; i++) for (let j = i + 1; j < panes.length; j++) out.push(comparePanes(panes[i]!, panes[j]!, statistic));
  return out;
}

export type HistogramBin = { from: number; to: number; counts: Record<string, number> };

/**
 * Shared bins for overlaid per-pane histograms: one range over every pane so bars line up;
 * `bins` equal-width bins (the last one closed). Empty input: no bins.
 */
export function overlaidHistogram(series: Readonly<Record<string, readonly number[]>>, bins = 20): HistogramBin[] {
  const all = Object.values(series).flatMap((v) => sorted(v));
  if (all.length === 0) return [];
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const out: HistogramBin[] = Array.from({ length: bins }, (_, i) => ({ from: lo + i * width, to: lo + (i + 1) * width, counts: {} }));
  for (const [name, values] of Object.entries(series)) {
    for (const bin of out) bin.counts[name] = 0;
    for (const v of sorted(values)) {
      const i = Math.min(bins - 1, Math.floor((v - lo) / width));
      out[i]!.counts[name]! += 1;
    }
  }
  return out;
}
