import type { MetricsState } from "./search-params";

/**
 * The API query for a dashboard state: presets go as `range` (the server resolves "now"), a
 * custom range as from/to; a custom range missing an end falls back to the last 24 hours.
 */
export function metricsQuery(projectSlug: string, s: MetricsState, extra: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams({ project: projectSlug });
  if (s.range === "custom" && s.from && s.to) {
    q.set("from", s.from.toISOString());
    q.set("to", s.to.toISOString());
  } else {
    q.set("range", s.range === "custom" ? "24h" : s.range);
  }
  for (const k of ["model", "route", "agent", "status", "playground"] as const) {
    const v = s[k];
    if (v) q.set(k, v);
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) q.set(k, v);
  return q.toString();
}

/** An explicit window (e.g. the previous period), keeping the state's filters. */
export function windowQuery(projectSlug: string, s: MetricsState, window: { from: string; to: string }, extra: Record<string, string | undefined> = {}): string {
  return metricsQuery(projectSlug, { ...s, range: "custom", from: new Date(window.from), to: new Date(window.to) }, extra);
}
