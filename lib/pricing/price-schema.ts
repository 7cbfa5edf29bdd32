import { z } from "zod";

// Stored as integer nano-USD per token (USD/MTok x 1000), so a rate has at most 3 decimals.
const rate = z
  .number()
  .finite()
  .min(0)
  .max(10_000)
  .refine((v) => Math.abs(v * 1000 - Math.round(v * 1000)) < 1e-6, "at most 3 decimal places (USD per million tokens)");

// Years 0 and 10000 (e.g. 9999-12-31T23:59-12:00) pass an ISO check but not a Postgres timestamp.
const EARLIEST_MS = Date.UTC(1970, 0, 1);
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/** One price row as operators edit it, in USD per million tokens. */
export const PriceInput = z.object({
  model: z.string().trim().min(1).max(128).regex(/^[A-Za-z0-9._:@/-]+$/, "model ids use letters, digits and . _ : @ / -"),
  effectiveFrom: z.iso.datetime({ offset: true }).refine((v) => {
    const t = Date.parse(v);
    return t >= EARLIEST_MS && t <= LATEST_MS;
  }, "must fall between 1970 and 9999 (UTC)"),
  minPromptTokens: z.number().int().min(0).max(100_000_000).default(0),
  inputPerMTok: rate,
  cacheWrite5mPerMTok: rate,
  cacheWrite1hPerMTok: rate,
  cacheReadPerMTok: rate,
  outputPerMTok: rate,
});
export type PriceInput = z.infer<typeof PriceInput>;

export const PutPricesBody = z.object({ prices: z.array(PriceInput).min(1).max(500) });
export type PutPricesBody = z.infer<typeof PutPricesBody>;
