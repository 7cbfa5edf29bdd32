import { createLoader, parseAsString } from "nuqs/server";

/** The price table's model search, kept in the URL. */
export const pricingParsers = { q: parseAsString.withDefault("") };
export const loadPricingParams = createLoader(pricingParsers);
