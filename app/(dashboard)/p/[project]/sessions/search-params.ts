import { createLoader, parseAsString, parseAsStringLiteral } from "nuqs/server";

/** The sessions list's URL state: a range preset and an agent filter. */
export const sessionsParsers = {
  range: parseAsStringLiteral(["1h", "24h", "7d", "30d"] as const).withDefault("24h"),
  agent: parseAsString,
};

export const loadSessionsParams = createLoader(sessionsParsers);
