"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useQueryStates } from "nuqs";
import { fetchJson } from "@/components/auth/fetch-json";
import type { CacheStats } from "@/lib/metrics/get-cache-stats";
import type { Dimensions } from "@/lib/metrics/get-dimensions";
import type { Summary } from "@/lib/metrics/get-summary";
import type { Timeseries } from "@/lib/metrics/get-timeseries";
import type { GroupBy, TimeseriesMetric } from "@/lib/metrics/schemas";
import { metricsQuery, windowQuery } from "./api-query";
import { metricsParsers, type MetricsState } from "./search-params";

/** Auto-refresh period when the switch is on. */
export const REFRESH_MS = 10_000;

export function useMetricsState() {
  return useQueryStates(metricsParsers);
}

const live = (s: MetricsState) => ({ refetchInterval: s.refresh ? REFRESH_MS : (false as const), placeholderData: keepPreviousData });

export function useSummary(slug: string, s: MetricsState) {
  const qs = metricsQuery(slug, s);
  return useQuery({ queryKey: ["metrics", "summary", qs], queryFn: () => fetchJson<Summary>(`/api/v1/metrics/summary?${qs}`), ...live(s) });
}

/** The same summary for an explicit window (the previous period of the KPI changes). */
export function useWindowSummary(slug: string, s: MetricsState, window: { from: string; to: string } | null) {
  const qs = window ? windowQuery(slug, s, window) : "";
  return useQuery({
    queryKey: ["metrics", "summary", qs],
    queryFn: () => fetchJson<Summary>(`/api/v1/metrics/summary?${qs}`),
    enabled: window !== null,
    ...live(s),
  });
}

/** The time series of one metric, typed by it: `data.series[i].points[j].values` has that metric's fields. */
export function useTimeseries<M extends TimeseriesMetric>(slug: string, s: MetricsState, metric: M, opts: { groupBy?: GroupBy; limit?: number } = {}) {
  const qs = metricsQuery(slug, s, { metric, groupBy: opts.groupBy, limit: opts.limit ? String(opts.limit) : undefined });
  return useQuery({ queryKey: ["metrics", "timeseries", qs], queryFn: () => fetchJson<Timeseries<M>>(`/api/v1/metrics/timeseries?${qs}`), ...live(s) });
}

export function useCacheStats(slug: string, s: MetricsState) {
  const qs = metricsQuery(slug, s);
  return useQuery({ queryKey: ["metrics", "cache", qs], queryFn: () => fetchJson<CacheStats>(`/api/v1/metrics/cache?${qs}`), ...live(s) });
}

/** Filter menu options: every value seen in the range, whatever the current filters. */
export function useDimensions(slug: string, s: MetricsState) {
  const qs = metricsQuery(slug, { ...s, model: null, route: null, agent: null, status: null, playground: null });
  return useQuery({ queryKey: ["metrics", "dimensions", qs], queryFn: () => fetchJson<Dimensions>(`/api/v1/metrics/dimensions?${qs}`), staleTime: 60_000 });
}
