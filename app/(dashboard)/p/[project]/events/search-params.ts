import { createLoader, parseAsString, parseAsStringLiteral } from "nuqs/server";
import { metricsParsers } from "@/components/metrics/search-params";
import { EVENT_KINDS, RESPONSE_CACHE_STATUSES } from "@/lib/events/event-enums";

/** The shared dashboard state plus the list's own filters and the event open in the detail panel. */
export const eventsParsers = {
  ...metricsParsers,
  kind: parseAsStringLiteral(EVENT_KINDS),
  cache: parseAsStringLiteral(RESPONSE_CACHE_STATUSES),
  event: parseAsString,
  // From the sessions list and the trace page: the events of one session or trace.
  session: parseAsString,
  trace: parseAsString,
};

export const loadEventsParams = createLoader(eventsParsers);
