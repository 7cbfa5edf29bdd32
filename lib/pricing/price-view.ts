import type { ModelPrice } from "@/db/schema";
import { nanoPerTokenToUsdPerMillion } from "./seed-prices";

/** Rates go out as USD per million tokens, the unit operators read on price pages. */
export function presentPrice(row: ModelPrice) {
  return {
    id: row.id,
    model: row.model,
    effectiveFrom: row.effectiveFrom.toISOString(),
    minPromptTokens: row.minPromptTokens,
    inputPerMTok: nanoPerTokenToUsdPerMillion(row.inputNano),
    cacheWrite5mPerMTok: nanoPerTokenToUsdPerMillion(row.cacheWrite5mNano),
    cacheWrite1hPerMTok: nanoPerTokenToUsdPerMillion(row.cacheWrite1hNano),
    cacheReadPerMTok: nanoPerTokenToUsdPerMillion(row.cacheReadNano),
    outputPerMTok: nanoPerTokenToUsdPerMillion(row.outputNano),
    verified: row.verified,
    source: row.source,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A price row as GET/PUT /api/v1/prices send it (the pricing page reads this). */
export type PriceView = ReturnType<typeof presentPrice>;
