// The overview's URL state is the shared dashboard state: range, filters, auto-refresh.
export { loadMetricsParams as loadOverviewParams, metricsParsers as overviewParsers } from "@/components/metrics/search-params";
