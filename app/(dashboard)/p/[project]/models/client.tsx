"use client";

import { useQueryStates } from "nuqs";
import { rowsBySeries, seriesLabel, seriesNote, sparkTimes, sparkValues } from "@/lib/metrics/chart-data";
import { formatCount, formatMs, formatPercent, formatRate, formatUsd } from "@/lib/metrics/format";
import type { ModelSummary } from "@/lib/metrics/get-summary";
import { colorsByName, namedSeries } from "@/components/charts/chart-config";
import type { BucketName } from "@/lib/metrics/time-range";
import { Sparkline } from "@/components/charts/sparkline";
import { TimeLineChart } from "@/components/charts/time-line-chart";
import { ChartCard } from "@/components/metrics/chart-card";
import { ChangeDeltas, usePolicyMarkers } from "@/components/policies/change-markers";
import { MetricsToolbar } from "@/components/metrics/metrics-toolbar";
import { useDimensions, useSummary, useTimeseries } from "@/components/metrics/use-metrics";
import { EmptyState, ErrorState, LoadingState } from "@/components/ui/states";
import { Table, Td, Th } from "@/components/ui/table";
import { modelsParsers, type ModelSort } from "./search-params";

const BUCKET_WORDS: Record<BucketName, string> = { "1m": "per minute", "5m": "per 5 minutes", "1h": "per hour", "1d": "per day" };

type Column = { id: ModelSort; label: string; value: (m: ModelSummary) => number | string | null; show: (m: ModelSummary) => string; numeric: boolean };

const COLUMNS: Column[] = [
  { id: "model", label: "Model", value: (m) => m.model, show: (m) => seriesLabel(m.model), numeric: false },
  { id: "requests", label: "Requests", value: (m) => m.requests, show: (m) => formatCount(m.requests), numeric: true },
  { id: "p50", label: "p50", value: (m) => m.latencyMs.p50, show: (m) => formatMs(m.latencyMs.p50), numeric: true },
  { id: "p95", label: "p95", value: (m) => m.latencyMs.p95, show: (m) => formatMs(m.latencyMs.p95), numeric: true },
  { id: "p99", label: "p99", value: (m) => m.latencyMs.p99, show: (m) => formatMs(m.latencyMs.p99), numeric: true },
  { id: "ttft", label: "TTFT p95", value: (m) => m.ttftMs.p95, show: (m) => formatMs(m.ttftMs.p95), numeric: true },
  { id: "tps", label: "Tokens/s p50", value: (m) => m.outputTokensPerSec.p50, show: (m) => formatRate(m.outputTokensPerSec.p50), numeric: true },
  { id: "cost", label: "Cost", value: (m) => m.costUsd, show: (m) => formatUsd(m.costUsd), numeric: true },
  { id: "costPerRequest", label: "Cost / request", value: (m) => m.costPerRequestUsd, show: (m) => formatUsd(m.costPerRequestUsd), numeric: true },
  { id: "share", label: "Share of spend", value: (m) => m.shareOfSpend, show: (m) => formatPercent(m.shareOfSpend), numeric: true },
];

/** Sorts with gaps (null) last whichever the direction, so "no data" never tops a ranking. */
function sortModels(rows: ModelSummary[], sort: ModelSort, dir: "asc" | "desc"): ModelSummary[] {
  const col = COLUMNS.find((c) => c.id === sort) ?? COLUMNS[7]!;
  return [...rows].sort((a, b) => {
    const va = col.value(a);
    const vb = col.value(b);
    if (va === null) return vb === null ? 0 : 1;
    if (vb === null) return -1;
    const cmp = typeof va === "string" ? va.localeCompare(String(vb)) : va - (vb as number);
    return dir === "asc" ? cmp : -cmp;
  });
}

export function ModelsClient({ projectSlug, initialSort }: { projectSlug: string; initialSort: { sort: ModelSort; dir: "asc" | "desc" } }) {
  const [state, setState] = useQueryStates(modelsParsers);
  const summary = useSummary(projectSlug, state);
  const dimensions = useDimensions(projectSlug, state);
  const trend = useTimeseries(projectSlug, state, "latency", { groupBy: "model", limit: 50 });
  // The chart shows the busiest models; the table's sparklines cover all of them.
  const chart = useTimeseries(projectSlug, state, "latency", { groupBy: "model", limit: 8 });
  const policyMarkers = usePolicyMarkers(projectSlug, chart.data ? { from: chart.data.from, to: chart.data.to } : undefined);
  const p95ByModel = rowsBySeries(chart.data, "p95");
  const bucket = chart.data?.bucket;
  const sort = state.sort ?? initialSort.sort;
  const dir = state.dir ?? initialSort.dir;
  const rows = summary.data ? sortModels(summary.data.byModel, sort, dir) : [];
  // One colour per model name on the chart and the sparklines alike, whatever the sort or range.
  const modelColor = colorsByName([...p95ByModel.keys, ...rows.map((m) => m.model)]);

  const header = (c: Column) => {
    const active = sort === c.id;
    const nextDir = active && dir === "desc" ? "asc" : "desc";
    return (
      <Th key={c.id} className={c.numeric ? "text-right" : undefined} aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : "none"}>
        <button type="button" className="inline-flex items-center gap-1 hover:text-[var(--foreground)]" onClick={() => void setState({ sort: c.id, dir: nextDir })} data-testid={`sort-${c.id}`}>
          {c.label}
          <span aria-hidden>{active ? (dir === "asc" ? "▲" : "▼") : ""}</span>
        </button>
      </Th>
    );
  };

  return (
    <div className="space-y-4" data-testid="models-page">
      <h1 className="text-xl font-semibold">Models</h1>
      <MetricsToolbar state={state} dimensions={dimensions.data} onChange={(next) => void setState(next)} fetching={summary.isFetching || trend.isFetching || chart.isFetching} />
      {policyMarkers.selected ? <ChangeDeltas projectSlug={projectSlug} change={policyMarkers.selected} onClose={() => policyMarkers.setSelected(null)} playground={state.playground} /> : null}
      <ChartCard title="Latency p95 by model" subtitle={bucket ? BUCKET_WORDS[bucket] : undefined} testId="chart-model-latency">
        <TimeLineChart
          markers={policyMarkers.markers}
          rows={p95ByModel.rows}
          series={namedSeries(p95ByModel.keys, seriesLabel, modelColor)}
          format={formatMs}
          bucket={bucket}
          loading={chart.isPending}
          error={chart.error}
          onRetry={() => void chart.refetch()}
          note={seriesNote(chart.data, "models")}
        />
      </ChartCard>
      {summary.isError ? (
        <ErrorState error={summary.error} onRetry={() => void summary.refetch()} />
      ) : summary.isPending ? (
        <LoadingState />
      ) : rows.length === 0 ? (
        <EmptyState title="No model calls in this range" hint="Widen the range or clear filters." />
      ) : (
        <Table data-testid="models-table">
          <thead>
            <tr>
              {COLUMNS.map(header)}
              <Th>p95 trend</Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((m) => (
              <tr key={m.model} data-testid="model-row" data-model={m.model}>
                {COLUMNS.map((c) => (
                  <Td key={c.id} className={c.numeric ? "text-right" : "font-medium"}>
                    {c.id === "share" ? (
                      <span className="inline-flex items-center gap-2">
                        <span className="inline-block h-1.5 w-16 overflow-hidden rounded bg-[var(--border)]" aria-hidden>
                          <span className="block h-full bg-[var(--accent)]" style={{ width: `${Math.round((m.shareOfSpend ?? 0) * 100)}%` }} />
                        </span>
                        {c.show(m)}
                      </span>
                    ) : (
                      c.show(m)
                    )}
                  </Td>
                ))}
                <Td data-testid="p95-trend">
                  {trend.data ? (
                    <Sparkline values={sparkValues(trend.data, m.model, "p95")} times={sparkTimes(trend.data, m.model)} markers={policyMarkers.markers} color={modelColor(m.model)} label={`p95 latency trend of ${seriesLabel(m.model)}`} />
                  ) : trend.isError ? (
                    <span className="text-xs text-[var(--muted)]" title={trend.error instanceof Error ? trend.error.message : undefined}>
                      unavailable
                    </span>
                  ) : (
                    <span className="text-xs text-[var(--muted)]">…</span>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <p className="text-xs text-[var(--muted)]">
        Percentiles merge log-bucketed histograms (within 1% of exact). Tokens/s counts output tokens over generation time after the first token. Costs are exact sums of stored costs.
      </p>
    </div>
  );
}
