import type { MetricFilters } from "./schemas";

/** The route every playground call is recorded under (lib/playground sends it). */
export const PLAYGROUND_ROUTE = "playground";

/**
 * The routes a dashboard read leaves out: playground calls, unless the caller asked for them
 * (`playground=include`) or filtered on a route (then that filter decides, so `route=playground`
 * shows them). The metric dashboards and the events list share this rule.
 */
export function excludedRoutes(p: Pick<MetricFilters, "playground" | "route">): string[] {
  return p.playground !== "include" && p.route === undefined ? [PLAYGROUND_ROUTE] : [];
}
