"use client";

import { previousRange, rowsBySeries, rowsFromSeries, seriesLabel, seriesNote, throughputRows, tokenRows } from "@/lib/metrics/chart-data";
import type { EventCounts } from "@/lib/events/event-counts";
import { formatCount, formatMs, formatPercent, formatTokens, formatUsd, relativeChange } from "@/lib/metrics/format";
import type { Summary } from "@/lib/metrics/get-summary";
import { namedSeries, paletteSeries } from "@/components/charts/chart-config";
import type { BucketName } from "@/lib/metrics/time-range";
import { StackedBarChart } from "@/components/charts/stacked-bar-chart";
import { TimeLineChart } from "@/components/charts/time-line-chart";
import { ChangeDeltas, usePolicyMarkers } from "@/components/policies/change-markers";
import { ChartCard } from "@/components/metrics/chart-card";
import { KpiCard, type Better } from "@/components/metrics/kpi-card";
import { MetricsToolbar } from "@/components/metrics/metrics-toolbar";
import type { RangeOption } from "@/components/metrics/search-params";
import { useDimensions, useMetricsState, useSummary, useTimeseries, useWindowSummary } from "@/components/metrics/use-metrics";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { moneyAxis } from "@/lib/metrics/axis-ticks";

const BUCKET_WORDS: Record<BucketName, string> = { "1m": "per minute", "5m": "per 5 minutes", "1h": "per hour", "1d": "per day" };

type Kpi = { id: string; label: string; get: (s: Summary) => number | null; format: (v: number | null) => string; better: Better; raw?: (s: Summary) => string };

const totalTokens = (s: Summary) => s.inputTokens + s.outputTokens + s.cacheReadTokens + s.cacheWriteTokens;

const KPIS: Kpi[] = [
  { id: "requests", label: "Requests", get: (s) => s.requests, format: formatCount, better: "neither" },
  { id: "error-rate", label: "Error rate", get: (s) => s.errorRate, format: (v) => formatPercent(v, 2), better: "down" },
  { id: "latency-p50", label: "Latency p50", get: (s) => s.latencyMs.p50, format: formatMs, better: "down" },
  { id: "latency-p95", label: "Latency p95", get: (s) => s.latencyMs.p95, format: formatMs, better: "down", raw: (s) => String(s.latencyMs.p95 ?? "") },
  { id: "latency-p99", label: "Latency p99", get: (s) => s.latencyMs.p99, format: formatMs, better: "down" },
  { id: "ttft-p95", label: "TTFT p95", get: (s) => s.ttftMs.p95, format: formatMs, better: "down" },
  { id: "response-cache-hit-rate", label: "Response cache hits", get: (s) => s.responseCacheHitRate, format: formatPercent, better: "up" },
  { id: "prompt-cache-hit-rate", label: "Prompt cache hits", get: (s) => s.promptCacheHitRate, format: formatPercent, better: "up" },
  { id: "tokens", label: "Tokens", get: totalTokens, format: formatTokens, better: "neither" },
  { id: "cost", label: "Cost", get: (s) => s.costUsd, format: formatUsd, better: "neither", raw: (s) => s.costUsdExact },
];

export function OverviewClient({ projectSlug, counts, initialRange }: { projectSlug: string; counts: EventCounts; initialRange: RangeOption }) {
  const [state, setState] = useMetricsState();
  const summary = useSummary(projectSlug, state);
  const previous = useWindowSummary(projectSlug, state, summary.data ? previousRange(summary.data.from, summary.data.to) : null);
  const dimensions = useDimensions(projectSlug, state);
  const latency = useTimeseries(projectSlug, state, "latency");
  const policyMarkers = usePolicyMarkers(projectSlug, latency.data ? { from: latency.data.from, to: latency.data.to } : undefined);
  const ttft = useTimeseries(projectSlug, state, "ttft");
  const throughput = useTimeseries(projectSlug, state, "requests");
  const cache = useTimeseries(projectSlug, state, "cache");
  const tokens = useTimeseries(projectSlug, state, "tokens");
  const cost = useTimeseries(projectSlug, state, "cost", { groupBy: "model", limit: 8 });
  const charts = [latency, ttft, throughput, cache, tokens, cost];
  const fetching = summary.isFetching || charts.some((c) => c.isFetching);
  const bucket = latency.data?.bucket;
  const per = bucket ? BUCKET_WORDS[bucket] : undefined;
  const costStack = rowsBySeries(cost.data, "costUsd");
  const s = summary.data;
  const noData = s !== undefined && s.requests === 0 && !state.model && !state.route && !state.agent && !state.status;

  return (
    <div className="space-y-4" data-testid="overview" data-range={state.range ?? initialRange}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">Overview</h1>
        <p className="text-xs text-[var(--muted)]" data-testid="event-counts">
          Events stored: <span data-testid="count-total">{counts.total.toLocaleString("en-US")}</span> in all ·{" "}
          <span data-testid="count-24h">{counts.last24h.toLocaleString("en-US")}</span> in the last 24h ·{" "}
          <span data-testid="count-1h">{counts.lastHour.toLocaleString("en-US")}</span> in the last hour
        </p>
      </div>
      <MetricsToolbar state={state} dimensions={dimensions.data} onChange={(next) => void setState(next)} fetching={fetching} />

      {summary.isError ? <ErrorState error={summary.error} onRetry={() => void summary.refetch()} /> : null}
      {noData ? (
        <EmptyState
          title="No requests in this range yet"
          hint="Send events to POST /api/v1/events with a project key, or route model calls through the gateway; they show here within seconds."
        />
      ) : null}

      <section aria-label="Key figures" className="grid grid-cols-2 gap-3 md:grid-cols-5" data-testid="kpis">
        {KPIS.map((k) => {
          const value = s ? k.get(s) : null;
          const before = previous.data ? k.get(previous.data) : null;
          return (
            <KpiCard
              key={k.id}
              label={k.label}
              value={s ? k.format(value) : "…"}
              change={s && previous.data ? relativeChange(value, before) : null}
              better={k.better}
              testId={`kpi-${k.id}`}
              loading={summary.isPending}
              title={s && k.raw ? k.raw(s) : undefined}
            />
          );
        })}
      </section>

      {policyMarkers.selected ? <ChangeDeltas projectSlug={projectSlug} change={policyMarkers.selected} onClose={() => policyMarkers.setSelected(null)} playground={state.playground} /> : null}
      <div className="grid gap-4 lg:grid-cols-2">
        <ChartCard title="Latency" subtitle={per} testId="chart-latency">
          <TimeLineChart
            markers={policyMarkers.markers}
            rows={rowsFromSeries(latency.data, ["p50", "p95", "p99"])}
            series={paletteSeries(["p50", "p95", "p99"])}
            format={formatMs}
            bucket={bucket}
            loading={latency.isPending}
            error={latency.error}
            onRetry={() => void latency.refetch()}
          />
        </ChartCard>
        <ChartCard title="Time to first token" subtitle={per} testId="chart-ttft">
          <TimeLineChart
            markers={policyMarkers.markers}
            rows={rowsFromSeries(ttft.data, ["p50", "p95", "p99"])}
            series={paletteSeries(["p50", "p95", "p99"])}
            format={formatMs}
            bucket={bucket}
            loading={ttft.isPending}
            error={ttft.error}
            onRetry={() => void ttft.refetch()}
          />
        </ChartCard>
        <ChartCard title="Throughput" subtitle={per ? `requests ${per}` : undefined} testId="chart-throughput">
          <StackedBarChart
            markers={policyMarkers.markers}
            rows={throughputRows(throughput.data)}
            series={[
              { key: "ok", label: "ok / aborted", color: "var(--chart-3)" },
              { key: "errors", label: "errors", color: "var(--chart-2)" },
            ]}
            format={formatCount}
            integer
            bucket={bucket}
            loading={throughput.isPending}
            error={throughput.error}
            onRetry={() => void throughput.refetch()}
          />
        </ChartCard>
        <ChartCard title="Cache hit rates" subtitle={per} testId="chart-cache">
          <TimeLineChart
            markers={policyMarkers.markers}
            rows={rowsFromSeries(cache.data, ["responseCacheHitRate", "promptCacheHitRate"])}
            series={[
              { key: "responseCacheHitRate", label: "response cache (hits / lookups)", color: "var(--chart-1)" },
              { key: "promptCacheHitRate", label: "prompt cache (read / prompt tokens)", color: "var(--chart-4)" },
            ]}
            format={(v) => formatPercent(v, 0)}
            bucket={bucket}
            loading={cache.isPending}
            error={cache.error}
            onRetry={() => void cache.refetch()}
          />
        </ChartCard>
        <ChartCard title="Token spend by kind" subtitle={per} testId="chart-tokens">
          <StackedBarChart
            markers={policyMarkers.markers}
            rows={tokenRows(tokens.data)}
            series={[
              { key: "input", label: "input", color: "var(--chart-1)" },
              { key: "cacheRead", label: "cache read", color: "var(--chart-3)" },
              { key: "cacheWrite", label: "cache write", color: "var(--chart-4)" },
              { key: "output", label: "output", color: "var(--chart-5)" },
            ]}
            format={formatTokens}
            integer
            bucket={bucket}
            loading={tokens.isPending}
            error={tokens.error}
            onRetry={() => void tokens.refetch()}
          />
        </ChartCard>
        <ChartCard title="Cost by model" subtitle={per} testId="chart-cost">
          <StackedBarChart
            markers={policyMarkers.markers}
            rows={costStack.rows}
            series={namedSeries(costStack.keys, seriesLabel)}
            format={formatUsd}
            yAxis={moneyAxis(costStack.rows, costStack.keys, { stacked: true })}
            bucket={bucket}
            loading={cost.isPending}
            error={cost.error}
            onRetry={() => void cost.refetch()}
            note={seriesNote(cost.data, "models")}
          />
        </ChartCard>
      </div>
    </div>
  );
}
