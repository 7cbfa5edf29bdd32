import { createLoader, parseAsBoolean, parseAsIsoDateTime, parseAsString, parseAsStringLiteral } from "nuqs/server";
import { EVENT_STATUSES, type EventStatus } from "@/lib/events/event-enums";

/**
 * The dashboards' URL state, parsed the same way by the server page and the client: a range
 * preset or a custom from/to, dimension filters, whether playground calls count, and the
 * auto-refresh switch.
 */
export const RANGE_OPTIONS = ["1h", "24h", "7d", "30d", "custom"] as const;
export type RangeOption = (typeof RANGE_OPTIONS)[number];

export const metricsParsers = {
  range: parseAsStringLiteral(RANGE_OPTIONS).withDefault("24h"),
  from: parseAsIsoDateTime,
  to: parseAsIsoDateTime,
  model: parseAsString,
  route: parseAsString,
  agent: parseAsString,
  status: parseAsStringLiteral(EVENT_STATUSES),
  // Playground calls are left out unless this is on (`playground=include`).
  playground: parseAsStringLiteral(["include"] as const),
  refresh: parseAsBoolean.withDefault(false),
};

export const loadMetricsParams = createLoader(metricsParsers);

export type MetricsState = {
  range: RangeOption;
  from: Date | null;
  to: Date | null;
  model: string | null;
  route: string | null;
  agent: string | null;
  status: EventStatus | null;
  playground: "include" | null;
  refresh: boolean;
};
