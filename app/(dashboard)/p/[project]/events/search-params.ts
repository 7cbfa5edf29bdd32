import { createLoader, parseAsString, parseAsStringLiteral } from "nuqs/server";
import { metricsParsers } from "@/components/metrics/search-params";

/** The shared dashboard state plus the list's own filters and the event open in the detail panel. */
export const eventsParsers = {
  ...metricsParsers,
  kind: parseAsStringLiteral(["llm", "tool"] as const),
  cache: parseAsStringLiteral(["hit", "miss", "bypass", "none"] as const),
  event: parseAsString,
};

export const loadEventsParams = createLoader(eventsParsers);
