import type { Finding } from "./finding-schema";
import type { Figures } from "./replay/replay-schema";

/**
 * Data shaping for the advisor page, pure and tested: the page draws what these return.
 */

/** Findings ranked as the API ranks them: by dollars per day saved, then by the perceived wait saved. */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => b.impact.usdPerDay - a.impact.usdPerDay || b.impact.perceivedMs - a.impact.perceivedMs);
}

export const SHOWN_METRICS = [
  { key: "latencyMeanMs", label: "Latency (mean)", unit: "ms" },
  { key: "latencyP95Ms", label: "Latency p95", unit: "ms" },
  { key: "ttftP95Ms", label: "TTFT p95", unit: "ms" },
  { key: "perceivedP95Ms", label: "Perceived p95", unit: "ms" },
  { key: "costPerRequestUsd", label: "Cost / request", unit: "usd" },
  { key: "responseCacheHitRate", label: "Response-cache hits", unit: "rate" },
  { key: "promptCacheHitRate", label: "Prompt-cache reads", unit: "rate" },
  { key: "throughputPerMin", label: "Throughput / caller", unit: "perMin" },
] as const satisfies readonly { key: keyof Figures; label: string; unit: string }[];
export type ShownMetric = (typeof SHOWN_METRICS)[number];

/** (projected − baseline) / baseline, or null when either is unknown or the baseline is 0. */
export function changeOf(baseline: number | null, projected: number | null): number | null {
  if (baseline === null || projected === null || baseline === 0) return null;
  return (projected - baseline) / baseline;
}

/** "±4.1%" for a backtest error, "—" when unknown: the trust shown next to a prediction. */
export function trustLabel(error: number | null | undefined): string {
  if (error === null || error === undefined) return "—";
  return `±${Math.abs(error * 100).toFixed(1)}%`;
}

/** Whether the backtest is within the bound the issue asks of it (5%). */
export function trusted(error: number | null | undefined, bound = 0.05): boolean {
  return error !== null && error !== undefined && Math.abs(error) <= bound;
}

/** The window of the last `hours` hours ending now, as the API's from/to. */
export function windowOf(hours: number, now = Date.now()): { from: string; to: string } {
  return { from: new Date(now - hours * 3_600_000).toISOString(), to: new Date(now).toISOString() };
}

const STAGE_LABELS: Record<string, string> = {
  starting: "Starting",
  loading: "Loading the window's calls",
  projecting: "Projecting each phase",
  replaying: "Replaying the window",
};

/** A progress line's stage for people: "analysing context_growth" is "Analysing context growth". */
export function progressLabel(stage: string): string {
  const known = STAGE_LABELS[stage];
  if (known) return known;
  const analysing = /^analysing (\w+)$/.exec(stage);
  if (analysing) return `Analysing ${analysing[1]!.replace(/_/g, " ")}`;
  return stage;
}

/** A draft's message split around its link back to an advisor finding, so the editor can make it a link. */
export function advisorLinkParts(comment: string): { text: string; href: string | null }[] {
  const parts: { text: string; href: string | null }[] = [];
  let last = 0;
  for (const m of comment.matchAll(/\/p\/[A-Za-z0-9_-]+\/advisor#finding-[a-z_]+/g)) {
    if (m.index > last) parts.push({ text: comment.slice(last, m.index), href: null });
    parts.push({ text: m[0], href: m[0] });
    last = m.index + m[0].length;
  }
  if (last < comment.length) parts.push({ text: comment.slice(last), href: null });
  return parts;
}
