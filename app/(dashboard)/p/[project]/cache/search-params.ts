// The cache page's URL state is the shared dashboard state: range, filters, auto-refresh.
export { loadMetricsParams as loadCacheParams, metricsParsers as cacheParsers } from "@/components/metrics/search-params";
