import { matchModel } from "./model-match";

/**
 * The shortest prefix (in tokens) each model will cache; below it a breakpoint is silently ignored,
 * as the real API does. Newer models are configurable through the simulator's options.
 */
export const DEFAULT_MIN_CACHE_TOKENS: Readonly<Record<string, number>> = {
  "*": 1024,
  "claude-opus-4": 1024,
  "claude-opus-4-1": 1024,
  "claude-opus-4-5": 4096,
  "claude-opus-4-6": 4096,
  "claude-opus-4-7": 4096,
  "claude-opus-4-8": 4096,
  "claude-opus-5": 4096,
  "claude-sonnet-4": 1024,
  "claude-3-7-sonnet": 1024,
  "claude-3-5-sonnet": 1024,
  "claude-haiku-4-5": 4096,
  "claude-haiku-5": 4096,
  "claude-3-5-haiku": 2048,
  "claude-3-haiku": 2048,
};

export function minCacheTokens(model: string, overrides: Readonly<Record<string, number>> = {}): number {
  return matchModel({ ...DEFAULT_MIN_CACHE_TOKENS, ...overrides }, model) ?? 1024;
}
