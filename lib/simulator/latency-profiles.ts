import { matchModel } from "./model-match";
import { normal, type Rng } from "./prng";

/**
 * How fast a simulated model answers: time to first token is log-normal around a median (a long
 * right tail, as real TTFTs have), output speed is tokens per second with some jitter per request.
 */
export type LatencyProfile = {
  ttftMedianMs: number;
  /** Log-space standard deviation of the TTFT; 0.4 puts p90 near 1.7x the median. */
  ttftSigma: number;
  outputTokensPerSec: number;
  /** Relative spread of the output speed between requests (0.15 = ±15 %). */
  speedJitter: number;
};

export const DEFAULT_LATENCY_PROFILES: Readonly<Record<string, LatencyProfile>> = {
  "*": { ttftMedianMs: 650, ttftSigma: 0.4, outputTokensPerSec: 75, speedJitter: 0.15 },
  "claude-haiku": { ttftMedianMs: 300, ttftSigma: 0.35, outputTokensPerSec: 160, speedJitter: 0.15 },
  "claude-3-haiku": { ttftMedianMs: 300, ttftSigma: 0.35, outputTokensPerSec: 160, speedJitter: 0.15 },
  "claude-3-5-haiku": { ttftMedianMs: 300, ttftSigma: 0.35, outputTokensPerSec: 160, speedJitter: 0.15 },
  "claude-sonnet": { ttftMedianMs: 650, ttftSigma: 0.4, outputTokensPerSec: 75, speedJitter: 0.15 },
  "claude-3-5-sonnet": { ttftMedianMs: 650, ttftSigma: 0.4, outputTokensPerSec: 75, speedJitter: 0.15 },
  "claude-3-7-sonnet": { ttftMedianMs: 650, ttftSigma: 0.4, outputTokensPerSec: 75, speedJitter: 0.15 },
  "claude-opus": { ttftMedianMs: 1300, ttftSigma: 0.45, outputTokensPerSec: 40, speedJitter: 0.2 },
  "claude-3-opus": { ttftMedianMs: 1300, ttftSigma: 0.45, outputTokensPerSec: 40, speedJitter: 0.2 },
};

export type LatencySettings = {
  /** Multiplies every delay; 0 answers at once (tests). Default 1. */
  latencyScale?: number;
  /** Replaces the profile: first token after exactly this many ms (benchmarks). */
  fixedLatencyMs?: number;
  /** With fixedLatencyMs: the pause between stream deltas (default 0). */
  deltaIntervalMs?: number;
  profiles?: Readonly<Record<string, LatencyProfile>>;
};

/** The timing of one reply: a wait before the first token, then ms per output token. */
export type ReplyTiming = { ttftMs: number; msPerToken: number; fixedDeltaMs?: number };

export function planTiming(model: string, settings: LatencySettings, rng: Rng): ReplyTiming {
  // Draw even when unused so the request sequence stays reproducible whatever the settings.
  const z = normal(rng);
  const jitter = rng() * 2 - 1;
  if (settings.fixedLatencyMs !== undefined) {
    return { ttftMs: settings.fixedLatencyMs, msPerToken: 0, fixedDeltaMs: settings.deltaIntervalMs ?? 0 };
  }
  const scale = settings.latencyScale ?? 1;
  const profile = matchModel({ ...DEFAULT_LATENCY_PROFILES, ...settings.profiles }, model)!;
  const ttft = profile.ttftMedianMs * Math.exp(profile.ttftSigma * z);
  const speed = profile.outputTokensPerSec * (1 + profile.speedJitter * jitter);
  return { ttftMs: ttft * scale, msPerToken: (1000 / speed) * scale };
}

/** The pause before sending a delta of `tokens` output tokens. */
export function deltaDelayMs(timing: ReplyTiming, tokens: number): number {
  return timing.fixedDeltaMs ?? timing.msPerToken * tokens;
}

/** A non-streaming reply arrives after the whole generation. */
export function totalDelayMs(timing: ReplyTiming, outputTokens: number): number {
  return timing.fixedDeltaMs !== undefined ? timing.ttftMs : timing.ttftMs + timing.msPerToken * outputTokens;
}

/** Of the prefill time, the share a fully cached prompt skips (reading the cache is not free). */
export const CACHE_HIT_TTFT_SAVING = 0.6;

/**
 * A prompt-cache hit shortens the time to first token, as it does on the API: the TTFT shrinks
 * in proportion to the share of the prompt read from the cache. Fixed-latency timings (benchmarks)
 * stay as set.
 */
export function withPromptCacheHit(timing: ReplyTiming, usage: { inputTokens: number; cacheReadTokens: number; cacheWrite5mTokens: number; cacheWrite1hTokens: number }): ReplyTiming {
  if (timing.fixedDeltaMs !== undefined) return timing;
  const prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWrite5mTokens + usage.cacheWrite1hTokens;
  if (prompt <= 0 || usage.cacheReadTokens <= 0) return timing;
  return { ...timing, ttftMs: timing.ttftMs * (1 - CACHE_HIT_TTFT_SAVING * (usage.cacheReadTokens / prompt)) };
}
