/**
 * Seed prices from shared/reference/anthropic.md, in USD per million tokens:
 * [input, 5m cache write, 1h cache write, cache read, output]. Converted to nano-USD per token
 * (x1000) on insert, which makes every listed rate an exact integer.
 */
export type SeedPrice = {
  model: string;
  rates: [number, number, number, number, number];
  minPromptTokens?: number;
  verified: boolean;
  source: string;
};

const OFFICIAL = "Anthropic pricing page";
const SECONDARY = "secondary source (unverified)";

const opus45: SeedPrice["rates"] = [5, 6.25, 10, 0.5, 25];
const opus4: SeedPrice["rates"] = [15, 18.75, 30, 1.5, 75];
const sonnet4: SeedPrice["rates"] = [3, 3.75, 6, 0.3, 15];
const fable5: SeedPrice["rates"] = [10, 12.5, 20, 1, 50];
const fable51: SeedPrice["rates"] = [10, 12.5, 20, 0.25, 50];
const sonnet5: SeedPrice["rates"] = [2, 2.5, 4, 0.2, 10];

const official = (model: string, rates: SeedPrice["rates"], minPromptTokens = 0): SeedPrice => ({
  model,
  rates,
  minPromptTokens,
  verified: true,
  source: OFFICIAL,
});
const secondary = (model: string, rates: SeedPrice["rates"], minPromptTokens = 0): SeedPrice => ({
  model,
  rates,
  minPromptTokens,
  verified: false,
  source: SECONDARY,
});

export const SEED_PRICES: SeedPrice[] = [
  ...["claude-opus-4-5", "claude-opus-4-6", "claude-opus-4-7", "claude-opus-4-8", "claude-opus-5"].map((m) => official(m, opus45)),
  official("claude-opus-4", opus4),
  official("claude-opus-4-1", opus4),
  official("claude-sonnet-4", sonnet4),
  official("claude-sonnet-4", [6, 7.5, 12, 0.6, 22.5], 200_001),
  official("claude-sonnet-4-5", sonnet4),
  official("claude-sonnet-4-5", [6, 7.5, 12, 0.6, 22.5], 200_001),
  // The reference gives only input/output for sonnet-4-6; cache rates assumed standard.
  { ...official("claude-sonnet-4-6", sonnet4), source: `${OFFICIAL} (cache rates assumed standard)` },
  official("claude-haiku-4-5", [1, 1.25, 2, 0.1, 5]),
  official("claude-3-5-haiku", [0.8, 1, 1.6, 0.08, 4]),
  official("claude-fable-5", fable5),
  official("claude-mythos-5", fable5),
  official("claude-fable-5-1", fable51),
  official("claude-mythos-5-1", fable51),
  secondary("claude-opus-5-5", [4, 5, 8, 0.2, 20]),
  secondary("claude-sonnet-5", sonnet5),
  secondary("claude-sonnet-5-5", [2, 2.5, 4, 0.1, 10]),
  secondary("claude-haiku-5-5", [0.1, 0.125, 0.2, 0.01, 0.5]),
  secondary("claude-haiku-5-5", [0.5, 0.625, 1, 0.05, 2.5], 100_001),
];

/** Prices apply from this date unless an operator adds a newer row. */
export const SEED_EFFECTIVE_FROM = new Date("2024-01-01T00:00:00Z");

export function usdPerMillionToNanoPerToken(usd: number): number {
  return Math.round(usd * 1000);
}

export function nanoPerTokenToUsdPerMillion(nano: number): number {
  return nano / 1000;
}

/** The seed as price rows in nano-USD per token (what model_prices stores and PriceBook reads). */
export function seedPriceRows() {
  return SEED_PRICES.map((p) => ({
    model: p.model,
    effectiveFrom: SEED_EFFECTIVE_FROM,
    minPromptTokens: p.minPromptTokens ?? 0,
    inputNano: usdPerMillionToNanoPerToken(p.rates[0]),
    cacheWrite5mNano: usdPerMillionToNanoPerToken(p.rates[1]),
    cacheWrite1hNano: usdPerMillionToNanoPerToken(p.rates[2]),
    cacheReadNano: usdPerMillionToNanoPerToken(p.rates[3]),
    outputNano: usdPerMillionToNanoPerToken(p.rates[4]),
    verified: p.verified,
    source: p.source,
  }));
}
