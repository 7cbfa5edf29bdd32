"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { fetchJson } from "@/components/auth/fetch-json";
import type { ChartMarker } from "@/components/charts/change-markers";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorState, LoadingState } from "@/components/ui/states";
import type { MetricDelta } from "@/lib/policies/change-deltas";
import { describeSideWindows, type SideWindowJson } from "@/lib/policies/side-windows";
import { formatMs, formatPercent, formatUsd } from "@/lib/metrics/format";

type Change = { kind: "routing" | "cache"; action: string; version: number; previousVersion: number | null; actor: string | null; comment: string | null; at: string };
/** kind and version, when known, let the deltas show what the advisor predicted for that version. */
export type SelectedChange = { at: string; title: string; kind?: "routing" | "cache"; version?: number };
type Prediction = { phase: string; predicted: Record<string, number | null>; baseline: Record<string, number | null> } | null;

const METRIC_LABEL: Record<MetricDelta["metric"], string> = {
  latencyP95Ms: "Latency p95",
  ttftP95Ms: "TTFT p95",
  costPerRequestUsd: "Cost per request",
  responseCacheHitRate: "Response-cache hit rate",
  promptCacheHitRate: "Prompt-cache hit rate",
  errorRate: "Error rate",
};

function show(metric: MetricDelta["metric"], v: number | null): string {
  if (v === null) return "—";
  if (metric === "latencyP95Ms" || metric === "ttftP95Ms") return formatMs(v);
  if (metric === "costPerRequestUsd") return formatUsd(v);
  return formatPercent(v, 2);
}

/** The advisor's predicted change for a metric, against the baseline it measured when it predicted. */
function predictedChange(p: NonNullable<Prediction>, metric: string): string {
  const a = p.baseline[metric];
  const b = p.predicted[metric];
  if (a === null || a === undefined || b === null || b === undefined || a === 0) return "";
  const r = (b - a) / a;
  return ` (${r >= 0 ? "+" : ""}${(r * 100).toFixed(1)}%)`;
}

/**
 * The policy changes in a chart range as chart markers, and which one is open. `from`/`to` come
 * from the charts' own answer so markers line up with their time axis.
 */
export function usePolicyMarkers(projectSlug: string, range: { from: string; to: string } | undefined) {
  const [selected, setSelected] = useState<SelectedChange | null>(null);
  const q = encodeURIComponent(projectSlug);
  const changes = useQuery({
    queryKey: ["policy-changes", projectSlug, range?.from, range?.to],
    queryFn: () => fetchJson<{ changes: Change[] }>(`/api/v1/policies/changes?project=${q}&from=${encodeURIComponent(range!.from)}&to=${encodeURIComponent(range!.to)}`),
    enabled: range !== undefined,
  });
  const markers = useMemo<ChartMarker[]>(
    () =>
      (changes.data?.changes ?? []).map((c) => {
        const title = `${c.kind} v${c.version} live${c.actor ? ` by ${c.actor}` : ""} at ${c.at.slice(0, 16).replace("T", " ")} UTC`;
        return { t: Date.parse(c.at), label: `${c.kind === "routing" ? "R" : "C"}${c.version}`, title, onSelect: () => setSelected({ at: c.at, title, kind: c.kind, version: c.version }) };
      }),
    [changes.data],
  );
  return { markers, selected, setSelected };
}

/** Before/after deltas around a change, each side cut at a neighbouring change. */
/** `playground`: the dashboard's filter, so the deltas count the calls its charts count. */
export function ChangeDeltas({
  projectSlug,
  change,
  onClose,
  playground,
}: {
  projectSlug: string;
  change: SelectedChange;
  onClose: () => void;
  playground?: "include" | "exclude" | null;
}) {
  const [seconds, setSeconds] = useState(3600);
  const deltas = useQuery({
    queryKey: ["policy-deltas", projectSlug, change.at, seconds, playground ?? "exclude"],
    queryFn: () =>
      fetchJson<{ seconds: number; before: SideWindowJson; after: SideWindowJson; minRequestsPerSide: number; deltas: MetricDelta[] }>(
        `/api/v1/policies/changes/deltas?project=${encodeURIComponent(projectSlug)}&at=${encodeURIComponent(change.at)}&seconds=${seconds}${playground === "include" ? "&playground=include" : ""}`,
      ),
  });
  const prediction = useQuery({
    queryKey: ["advisor-prediction", projectSlug, change.kind, change.version],
    queryFn: () => fetchJson<{ prediction: Prediction }>(`/api/v1/advisor/predictions?project=${encodeURIComponent(projectSlug)}&kind=${change.kind}&version=${change.version}`),
    enabled: change.kind !== undefined && change.version !== undefined,
  });
  const predicted = prediction.data?.prediction ?? null;
  const d = deltas.data;
  return (
    <Card className="flex flex-col gap-2" data-testid="change-deltas" role="dialog" aria-label={`Before and after ${change.title}`}>
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="text-sm font-semibold">Before / after: {change.title}</h2>
        <select aria-label="Window on each side" className="rounded border border-[var(--border)] bg-[var(--card)] px-1 py-0.5 text-xs" value={seconds} onChange={(e) => setSeconds(Number(e.target.value))}>
          <option value={900}>15 min each side</option>
          <option value={3600}>1 hour each side</option>
          <option value={21600}>6 hours each side</option>
          <option value={86400}>1 day each side</option>
        </select>
        <Button variant="ghost" className="ml-auto" onClick={onClose} aria-label="Close">
          ✕
        </Button>
      </div>
      {deltas.isLoading ? <LoadingState /> : null}
      {deltas.isError ? <ErrorState error={deltas.error} onRetry={() => void deltas.refetch()} /> : null}
      {d ? (
        <>
          <p className={`text-xs ${d.before.cutAt || d.after.cutAt ? "text-amber-700 dark:text-amber-300" : "text-[var(--muted)]"}`} data-testid="change-deltas-window">
            {describeSideWindows({ requestedSeconds: seconds, before: d.before, after: d.after })} Deltas need at least {d.minRequestsPerSide} requests per side.
          </p>
          <table className="text-xs" data-testid="change-deltas-table">
            <thead>
              <tr className="text-left text-[var(--muted)]">
                <th className="pr-3 font-normal">Metric</th>
                <th className="pr-3 text-right font-normal">Before</th>
                <th className="pr-3 text-right font-normal">After</th>
                <th className="pr-3 text-right font-normal">Change</th>
                {predicted ? <th className="pr-3 text-right font-normal">Predicted (advisor)</th> : null}
                <th className="pr-3 text-right font-normal">Requests (before / after)</th>
              </tr>
            </thead>
            <tbody>
              {d.deltas.map((x) => (
                <tr key={x.metric}>
                  <td className="pr-3">{METRIC_LABEL[x.metric]}</td>
                  <td className="pr-3 text-right tabular-nums">{show(x.metric, x.before)}</td>
                  <td className="pr-3 text-right tabular-nums">{show(x.metric, x.after)}</td>
                  <td className="pr-3 text-right tabular-nums">{x.tooFew ? <span className="text-amber-700 dark:text-amber-300">too few requests</span> : x.relative !== null ? `${x.relative >= 0 ? "+" : ""}${(x.relative * 100).toFixed(1)}%` : x.change !== null ? show(x.metric, x.change) : "—"}</td>
                  {predicted ? (
                    <td className="pr-3 text-right tabular-nums" data-testid={`change-predicted-${x.metric}`}>
                      {x.metric in predicted.predicted ? `${show(x.metric, predicted.predicted[x.metric] ?? null)}${predictedChange(predicted, x.metric)}` : "—"}
                    </td>
                  ) : null}
                  <td className="pr-3 text-right tabular-nums">
                    {x.beforeRequests} / {x.afterRequests}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </Card>
  );
}
