import { modelFamily } from "../pricing/model-family";
import { matchesGlob } from "./glob";

/** Below a model's minimum prompt length Anthropic caches nothing (and raises no error). */
export const DEFAULT_MIN_CACHEABLE_TOKENS = 1024;

type Tier = { name: "opus" | "sonnet" | "haiku"; major: number; minor: number };

// claude-opus-4-5 / claude-haiku-4-5 (new naming) or claude-3-5-haiku (old naming).
const NEW_NAME = /^claude-(opus|sonnet|haiku)-(\d+)(?:-(\d))?$/;
const OLD_NAME = /^claude-(\d+)(?:-(\d))?-(opus|sonnet|haiku)$/;

// planRoute asks once per request (the advisor's replay a million times, for a handful of models):
// the parse is a model-family regex and two more, so it is kept per model name (bounded).
const TIERS = new Map<string, Tier | null>();

function parseTier(model: string): Tier | null {
  let tier = TIERS.get(model);
  if (tier === undefined) {
    tier = parseTierOnce(model);
    if (TIERS.size < 10_000) TIERS.set(model, tier);
  }
  return tier;
}

function parseTierOnce(model: string): Tier | null {
  const family = modelFamily(model);
  const n = NEW_NAME.exec(family);
  if (n) return { name: n[1] as Tier["name"], major: Number(n[2]), minor: Number(n[3] ?? 0) };
  const o = OLD_NAME.exec(family);
  if (o) return { name: o[3] as Tier["name"], major: Number(o[1]), minor: Number(o[2] ?? 0) };
  return null;
}

function atLeast(t: Tier, major: number, minor: number): boolean {
  return t.major > major || (t.major === major && t.minor >= minor);
}

/**
 * Minimum cacheable prompt tokens: 4096 for Opus 4.5+ and Haiku 4.5+, 2048 for Haiku 3/3.5, 1024
 * for Sonnet and Opus 4/4.1 and anything unknown. `overrides` (model glob -> tokens, first match)
 * wins, so a new model's minimum is a policy edit, not a release.
 */
export function minCacheableTokens(model: string, overrides?: Readonly<Record<string, number>>): number {
  if (overrides) {
    const family = modelFamily(model);
    for (const [pattern, tokens] of Object.entries(overrides)) {
      if (matchesGlob(pattern, model) || matchesGlob(pattern, family)) return tokens;
    }
  }
  const tier = parseTier(model);
  if (!tier) return DEFAULT_MIN_CACHEABLE_TOKENS;
  if (tier.name === "opus") return atLeast(tier, 4, 5) ? 4096 : 1024;
  if (tier.name === "haiku") return atLeast(tier, 4, 5) ? 4096 : tier.major === 3 ? 2048 : DEFAULT_MIN_CACHEABLE_TOKENS;
  return DEFAULT_MIN_CACHEABLE_TOKENS;
}
