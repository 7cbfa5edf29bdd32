"use client";

import { HistogramChart } from "@/components/charts/histogram-chart";
import { Card, CardTitle } from "@/components/ui/card";
import { formatMs, formatPercent, formatUsd } from "@/lib/metrics/format";
import type { CallMeasurement } from "@/lib/playground/measurement";
import type { RunSummary } from "@/lib/playground/run-summary";
import { overlaidHistogram } from "@/lib/playground/stats";

const usd = (nano: number | null) => (nano === null ? "—" : formatUsd(nano / 1e9));

function seriesOf(calls: readonly CallMeasurement[], panes: string[], pick: (c: CallMeasurement) => number | null): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const p of panes) out[p] = calls.filter((c) => c.pane === p && c.status === "ok").flatMap((c) => (pick(c) === null ? [] : [pick(c)!]));
  return out;
}

/** Run x N: the per-pane table, the distributions (panes overlaid) and the verdict lines. */
export function RunSummaryView({ summary, calls, title }: { summary: RunSummary; calls: readonly CallMeasurement[]; title: string }) {
  const panes = summary.panes.map((p) => p.pane);
  return (
    <Card className="flex flex-col gap-4" data-testid="run-summary">
      <CardTitle>{title}</CardTitle>
      <div className="overflow-x-auto">
        <table className="w-full text-sm">
          <thead className="text-left text-xs text-[var(--muted)]">
            <tr>
              <th className="py-1">Pane</th>
              <th>Calls</th>
              <th>TTFT p50 / p95 / p99</th>
              <th>Latency p50 / p95 / p99</th>
              <th>Cost mean / p95</th>
              <th>Prompt-cache hits</th>
              <th>Response-cache hits</th>
              <th>Errors</th>
            </tr>
          </thead>
          <tbody className="font-mono">
            {summary.panes.map((p) => (
              <tr key={p.pane} data-summary-pane={p.pane} className="border-t border-[var(--border)]">
                <td className="py-1 font-sans font-medium">{p.pane}</td>
                <td>{p.calls}</td>
                <td data-testid="summary-ttft">{`${formatMs(p.ttftMs.p50)} / ${formatMs(p.ttftMs.p95)} / ${formatMs(p.ttftMs.p99)}`}</td>
                <td data-testid="summary-latency">{`${formatMs(p.latencyMs.p50)} / ${formatMs(p.latencyMs.p95)} / ${formatMs(p.latencyMs.p99)}`}</td>
                <td data-testid="summary-cost">{`${usd(p.costNanoUsd.mean)} / ${usd(p.costNanoUsd.p95)}`}</td>
                <td>{formatPercent(p.promptCacheHitShare, 0)}</td>
                <td>{formatPercent(p.responseCacheHitShare, 0)}</td>
                <td data-testid="summary-errors">{p.errors + p.aborted > 0 ? `${p.errors} errors, ${p.aborted} aborted` : "0"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="grid gap-4 lg:grid-cols-3" data-testid="distributions">
        <div className="min-w-0">
          <div className="text-xs text-[var(--muted)]">TTFT</div>
          <HistogramChart bins={overlaidHistogram(seriesOf(calls, panes, (c) => c.ttftMs), 16)} series={panes} format={(v) => formatMs(v)} testId="hist-ttft" />
        </div>
        <div className="min-w-0">
          <div className="text-xs text-[var(--muted)]">Total latency</div>
          <HistogramChart bins={overlaidHistogram(seriesOf(calls, panes, (c) => c.latencyMs), 16)} series={panes} format={(v) => formatMs(v)} testId="hist-latency" />
        </div>
        <div className="min-w-0">
          <div className="text-xs text-[var(--muted)]">Cost per call</div>
          <HistogramChart bins={overlaidHistogram(seriesOf(calls, panes, (c) => Number(c.costNanoUsd)), 16)} series={panes} format={(v) => usd(v)} testId="hist-cost" />
        </div>
      </div>
      <div className="flex flex-col gap-1" data-testid="verdict">
        {summary.verdicts.map((v) => (
          <p key={`${v.a}-${v.b}`} className="text-sm">
            <span className={v.certainty === "clear" ? "font-semibold" : ""}>{v.text}</span>
          </p>
        ))}
      </div>
    </Card>
  );
}
