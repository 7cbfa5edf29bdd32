import { modelFamily } from "../pricing/model-family";

/**
 * The most output tokens (max_tokens) a model takes, by family prefix (longest match wins), from
 * Anthropic's models overview. A model not listed gets the largest limit: the playground warns
 * about an unknown model but still sends the call, and the upstream has the last word.
 */
const MAX_OUTPUT: Readonly<Record<string, number>> = {
  "claude-3-haiku": 4096,
  "claude-3-opus": 4096,
  "claude-3-5-haiku": 8192,
  "claude-3-5-sonnet": 8192,
  "claude-3-7-sonnet": 64_000,
  "claude-opus-4": 32_000,
  "claude-opus-4-1": 32_000,
  "claude-opus-4-5": 64_000,
  "claude-opus-4-6": 128_000,
  "claude-sonnet-4": 64_000,
  "claude-haiku-4-5": 64_000,
};
export const UNKNOWN_MODEL_MAX_OUTPUT = 128_000;

export function maxOutputTokensFor(model: string): number {
  const family = modelFamily(model);
  let best: string | undefined;
  for (const key of Object.keys(MAX_OUTPUT)) {
    if ((family === key || family.startsWith(`${key}-`)) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? UNKNOWN_MODEL_MAX_OUTPUT : MAX_OUTPUT[best]!;
}
