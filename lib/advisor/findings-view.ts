import type { Finding } from "./finding-schema";

/**
 * Data shaping for the findings list, pure and tested: links to the events and trace views and
 * the playground, and the chart rows of a finding's details. Safe in the browser.
 */

export type FindingLinks = {
  events: { id: string; href: string }[];
  traces: { id: string; href: string }[];
  playground: string | null;
};

export function findingLinks(f: Finding, projectSlug: string): FindingLinks {
  const base = `/p/${encodeURIComponent(projectSlug)}`;
  const playground = typeof f.evidence.details.playgroundPath === "string" && f.evidence.details.playgroundPath.startsWith(`${base}/playground?`) ? f.evidence.details.playgroundPath : null;
  return {
    events: f.evidence.exampleEventIds.map((id) => ({ id, href: `${base}/events?event=${encodeURIComponent(id)}` })),
    traces: f.evidence.exampleTraceIds.map((id) => ({ id, href: `${base}/traces/${encodeURIComponent(id)}` })),
    playground,
  };
}

export type CurvePoint = { ttlSec: number; label: string; hitRate: number; recommended: boolean };

/** The response-cache hit-rate-vs-TTL curve, with the recommended TTL marked; [] when the finding has none. */
export function ttlCurveRows(f: Finding): CurvePoint[] {
  const curve = f.evidence.details.ttlCurve;
  const recommended = f.evidence.details.recommendedTtlSec;
  if (!Array.isArray(curve)) return [];
  return curve
    .filter((p): p is { ttlSec: number; hitRate: number } => typeof p?.ttlSec === "number" && typeof p?.hitRate === "number")
    .map((p) => ({ ttlSec: p.ttlSec, label: durationLabel(p.ttlSec), hitRate: p.hitRate, recommended: p.ttlSec === recommended }));
}

export type HistogramRow = { label: string; count: number };

/** A gap or re-request-interval histogram ("≤ 5 min", …, "> 1 d"); [] when the finding has none. */
export function gapHistogramRows(f: Finding): HistogramRow[] {
  const bins = f.evidence.details.intervalHistogram ?? f.evidence.details.gapHistogramSec;
  if (!Array.isArray(bins)) return [];
  const valid = bins.filter((b): b is { upToSec: number; count: number } => typeof b?.upToSec === "number" && typeof b?.count === "number");
  const last = valid.findLastIndex((b) => b.count > 0);
  const prevEdge = (k: number) => (k > 0 ? valid[k - 1]!.upToSec : 0);
  return valid.slice(0, last + 1).map((b, k) => ({ label: b.upToSec < 0 ? `> ${durationLabel(prevEdge(k))}` : `≤ ${durationLabel(b.upToSec)}`, count: b.count }));
}

/** "why was this a miss" counts, largest first, zeros left out. */
export function missReasonRows(f: Finding): { reason: string; count: number }[] {
  const r = f.evidence.details.missReasons;
  if (!r || typeof r !== "object") return [];
  const label: Record<string, string> = { first_use: "first use", expired: "expired", prefix_changed: "prefix changed", below_minimum: "below minimum", not_requested: "no cache_control" };
  return Object.entries(r as Record<string, unknown>)
    .filter(([, n]) => typeof n === "number" && n > 0)
    .map(([k, n]) => ({ reason: label[k] ?? k, count: n as number }))
    .sort((a, b) => b.count - a.count);
}

export function durationLabel(sec: number): string {
  if (sec < 60) return `${sec} s`;
  if (sec < 3600) return `${Math.round(sec / 60)} min`;
  if (sec < 86_400) return `${Math.round(sec / 3600)} h`;
  return `${Math.round(sec / 86_400)} d`;
}

export type ContextOptionRow = { option: string; keeps: string; tokensSaved: number; share: number; usdPerDay: number };

/** A context-growth finding's two fixes side by side (sliding window, summary); [] for other findings or older answers. */
export function contextOptionRows(f: Finding): ContextOptionRow[] {
  const d = f.evidence.details;
  const rows: ContextOptionRow[] = [];
  const w = d.slidingWindow as { turns?: unknown; tokensSaved?: unknown; tokensSavedShare?: unknown; usdPerDay?: unknown } | undefined;
  if (w && typeof w.turns === "number" && typeof w.tokensSaved === "number" && typeof w.tokensSavedShare === "number" && typeof w.usdPerDay === "number") {
    rows.push({ option: `Sliding window of ${w.turns} turns`, keeps: `the first prompt and the last ${w.turns} turns`, tokensSaved: w.tokensSaved, share: w.tokensSavedShare, usdPerDay: w.usdPerDay });
  }
  const s = d.summary as { atTurns?: unknown; summaryTokens?: unknown; tokensSaved?: unknown; tokensSavedShare?: unknown; usdPerDay?: unknown } | undefined;
  if (s && typeof s.atTurns === "number" && typeof s.summaryTokens === "number" && typeof s.tokensSaved === "number" && typeof s.tokensSavedShare === "number" && typeof s.usdPerDay === "number") {
    rows.push({ option: `Summary at ${s.atTurns} turns`, keeps: `the first prompt, a ~${s.summaryTokens.toLocaleString("en-US")}-token summary, then each turn`, tokensSaved: s.tokensSaved, share: s.tokensSavedShare, usdPerDay: s.usdPerDay });
  }
  return rows;
}
