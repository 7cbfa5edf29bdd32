"use client";

import { rowsFromSeries, seriesLabel } from "@/lib/metrics/chart-data";
import { formatCount, formatMs, formatPercent, formatTokens, formatUsd } from "@/lib/metrics/format";
import { StackedBarChart } from "@/components/charts/stacked-bar-chart";
import { TimeLineChart } from "@/components/charts/time-line-chart";
import { ChangeDeltas, usePolicyMarkers } from "@/components/policies/change-markers";
import { ChartCard } from "@/components/metrics/chart-card";
import { MetricsToolbar } from "@/components/metrics/metrics-toolbar";
import { useCacheStats, useDimensions, useMetricsState, useTimeseries } from "@/components/metrics/use-metrics";
import { Card, CardTitle } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingState } from "@/components/ui/states";
import { Table, Td, Th } from "@/components/ui/table";

function Stat({ label, value, testId, hint }: { label: string; value: string; testId: string; hint?: string }) {
  return (
    <div className="rounded-lg border border-[var(--border)] bg-[var(--card)] p-3" title={hint}>
      <div className="text-xs font-medium uppercase tracking-wide text-[var(--muted)]">{label}</div>
      <div className="mt-1 text-xl font-semibold tabular-nums" data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

export function CacheClient({ projectSlug }: { projectSlug: string }) {
  const [state, setState] = useMetricsState();
  const stats = useCacheStats(projectSlug, state);
  const dimensions = useDimensions(projectSlug, state);
  const rates = useTimeseries(projectSlug, state, "cache");
  const policyMarkers = usePolicyMarkers(projectSlug, rates.data ? { from: rates.data.from, to: rates.data.to } : undefined);
  const tokens = useTimeseries(projectSlug, state, "tokens");
  const bucket = rates.data?.bucket;
  const rc = stats.data?.responseCache;
  const pc = stats.data?.promptCache;

  return (
    <div className="space-y-4" data-testid="cache-page">
      <h1 className="text-xl font-semibold">Cache</h1>
      <MetricsToolbar state={state} dimensions={dimensions.data} onChange={(next) => void setState(next)} fetching={stats.isFetching} />
      {stats.isError ? <ErrorState error={stats.error} onRetry={() => void stats.refetch()} /> : null}
      {stats.isPending ? <LoadingState /> : null}

      {rc && pc ? (
        <>
          <section className="space-y-3" aria-label="Response cache">
            <h2 className="text-lg font-medium">Response cache</h2>
            <div className="grid grid-cols-2 gap-3 md:grid-cols-5">
              <Stat label="Hit rate" value={formatPercent(rc.hitRate)} testId="rc-hit-rate" hint="hits / (hits + misses); bypassed requests never asked the cache" />
              <Stat label="Hits" value={formatCount(rc.hits)} testId="rc-hits" />
              <Stat label="Misses" value={formatCount(rc.misses)} testId="rc-misses" />
              <Stat label="Money saved" value={formatUsd(rc.savedUsd)} testId="rc-saved-usd" hint="each route's hits priced at that route's average miss, minus what the hits cost" />
              <Stat label="Time saved" value={formatMs(rc.savedMs)} testId="rc-saved-ms" hint="each route's hits at that route's average miss latency, minus the hits' own latency" />
            </div>
            {rc.byRoute.length === 0 ? (
              <EmptyState title="No response-cache lookups in this range" hint="Enable a cache policy for a route to serve repeated requests from the cache." />
            ) : (
              <Table data-testid="cache-routes-table">
                <thead>
                  <tr>
                    <Th>Route</Th>
                    <Th className="text-right">Hits</Th>
                    <Th className="text-right">Misses</Th>
                    <Th className="text-right">Bypass</Th>
                    <Th className="text-right">Hit rate</Th>
                    <Th className="text-right">Money saved</Th>
                    <Th className="text-right">Time saved</Th>
                  </tr>
                </thead>
                <tbody>
                  {rc.byRoute.map((r) => (
                    <tr key={r.route} data-testid="cache-route-row">
                      <Td className="font-medium">{seriesLabel(r.route)}</Td>
                      <Td className="text-right">{formatCount(r.hits)}</Td>
                      <Td className="text-right">{formatCount(r.misses)}</Td>
                      <Td className="text-right">{formatCount(r.bypass)}</Td>
                      <Td className="text-right">{formatPercent(r.hitRate)}</Td>
                      <Td className="text-right" title={r.savedUsd === null ? "no misses to compare against" : undefined}>
                        {formatUsd(r.savedUsd)}
                      </Td>
                      <Td className="text-right">{formatMs(r.savedMs)}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </section>

          <section className="space-y-3" aria-label="Prompt cache">
            <h2 className="text-lg font-medium">Prompt cache</h2>
            <div className="grid grid-cols-2 gap-3 md:grid-cols-5">
              <Stat label="Hit rate" value={formatPercent(pc.hitRate)} testId="pc-hit-rate" hint="cache-read tokens / all prompt tokens (token-weighted)" />
              <Stat label="Read tokens" value={formatTokens(pc.cacheReadTokens)} testId="pc-read" />
              <Stat label="5m writes" value={formatTokens(pc.cacheWrite5mTokens)} testId="pc-write-5m" />
              <Stat label="1h writes" value={formatTokens(pc.cacheWrite1hTokens)} testId="pc-write-1h" />
              <Stat label="Saved vs no caching" value={formatUsd(pc.savingsUsd)} testId="pc-savings" hint="reads at (input - read rate) minus write premiums, at current prices" />
            </div>
            {pc.byModel.length > 0 ? (
              <Table data-testid="prompt-cache-table">
                <thead>
                  <tr>
                    <Th>Model</Th>
                    <Th className="text-right">Input</Th>
                    <Th className="text-right">Cache read</Th>
                    <Th className="text-right">5m writes</Th>
                    <Th className="text-right">1h writes</Th>
                    <Th className="text-right">Hit rate</Th>
                    <Th className="text-right">Saved</Th>
                  </tr>
                </thead>
                <tbody>
                  {pc.byModel.map((m) => (
                    <tr key={m.model}>
                      <Td className="font-medium">{seriesLabel(m.model)}</Td>
                      <Td className="text-right">{formatTokens(m.inputTokens)}</Td>
                      <Td className="text-right">{formatTokens(m.cacheReadTokens)}</Td>
                      <Td className="text-right">{formatTokens(m.cacheWrite5mTokens)}</Td>
                      <Td className="text-right">{formatTokens(m.cacheWrite1hTokens)}</Td>
                      <Td className="text-right">{formatPercent(m.hitRate)}</Td>
                      <Td className="text-right" title={m.savingsUsd === null ? "no price for this model" : undefined}>
                        {formatUsd(m.savingsUsd)}
                      </Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            ) : null}
          </section>
        </>
      ) : null}

      {policyMarkers.selected ? <ChangeDeltas projectSlug={projectSlug} change={policyMarkers.selected} onClose={() => policyMarkers.setSelected(null)} playground={state.playground} /> : null}
      <div className="grid gap-4 lg:grid-cols-2">
        <ChartCard title="Hit rates over time" testId="chart-cache-rates">
          <TimeLineChart
            markers={policyMarkers.markers}
            rows={rowsFromSeries(rates.data, ["responseCacheHitRate", "promptCacheHitRate"])}
            series={[
              { key: "responseCacheHitRate", label: "response cache", color: "var(--chart-1)" },
              { key: "promptCacheHitRate", label: "prompt cache", color: "var(--chart-4)" },
            ]}
            format={(v) => formatPercent(v, 0)}
            bucket={bucket}
            loading={rates.isPending}
            error={rates.error}
            onRetry={() => void rates.refetch()}
          />
        </ChartCard>
        <ChartCard title="Prompt cache tokens: reads, 5m and 1h writes" testId="chart-cache-writes">
          <StackedBarChart
            markers={policyMarkers.markers}
            rows={rowsFromSeries(tokens.data, ["cacheRead", "cacheWrite5m", "cacheWrite1h"])}
            series={[
              { key: "cacheRead", label: "read", color: "var(--chart-3)" },
              { key: "cacheWrite5m", label: "5m write", color: "var(--chart-4)" },
              { key: "cacheWrite1h", label: "1h write", color: "var(--chart-5)" },
            ]}
            format={formatTokens}
            integer
            bucket={tokens.data?.bucket}
            loading={tokens.isPending}
            error={tokens.error}
            onRetry={() => void tokens.refetch()}
          />
        </ChartCard>
      </div>
      <Card className="text-xs text-[var(--muted)]">
        <CardTitle className="mb-1">How savings are estimated</CardTitle>
        Response cache: hits are priced at the route&apos;s average miss cost and latency in the range, minus what the hits themselves cost and took (a route without misses
        shows —). Prompt cache: every cache-read token saved the input rate minus the read rate; every cache-write token cost the write rate minus the input rate, at
        each model&apos;s current price.
      </Card>
    </div>
  );
}
