import { matchModel } from "./model-match";
import { normal, type Rng } from "./prng";

/**
 * How fast a simulated model answers. The time to first token is a per-model base plus prefill:
 * a cost per 1K input tokens the model has to process (input_tokens plus cache writes, which are
 * processed like any input) and a much smaller one per 1K tokens read from the prompt cache. The
 * whole TTFT is log-normal around that median (a long right tail, as real TTFTs have). Output
 * then streams at the model's tokens per second, with some jitter per request. The figures and
 * their sources are in the README's simulator section.
 */
export type LatencyProfile = {
  /** Median TTFT with nothing to prefill: queueing, the request's set-up, the first decode step. */
  ttftBaseMs: number;
  /** Prefill per 1K uncached input tokens (input_tokens + cache_creation). */
  prefillMsPer1k: number;
  /** Prefill per 1K tokens read from the prompt cache. */
  cacheReadMsPer1k: number;
  /** Log-space standard deviation of the TTFT; 0.3 puts p95 near 1.6x the median. */
  ttftSigma: number;
  outputTokensPerSec: number;
  /** Relative spread of the output speed between requests (0.1 = ±10 %). */
  speedJitter: number;
};

const HAIKU_4: LatencyProfile = { ttftBaseMs: 500, prefillMsPer1k: 60, cacheReadMsPer1k: 8, ttftSigma: 0.3, outputTokensPerSec: 110, speedJitter: 0.1 };
const HAIKU_3: LatencyProfile = { ttftBaseMs: 700, prefillMsPer1k: 95, cacheReadMsPer1k: 12, ttftSigma: 0.3, outputTokensPerSec: 65, speedJitter: 0.1 };
const SONNET: LatencyProfile = { ttftBaseMs: 1_700, prefillMsPer1k: 110, cacheReadMsPer1k: 14, ttftSigma: 0.3, outputTokensPerSec: 63, speedJitter: 0.1 };
const OPUS_4_5: LatencyProfile = { ttftBaseMs: 2_500, prefillMsPer1k: 155, cacheReadMsPer1k: 20, ttftSigma: 0.3, outputTokensPerSec: 45, speedJitter: 0.1 };
const OPUS_3: LatencyProfile = { ttftBaseMs: 2_700, prefillMsPer1k: 230, cacheReadMsPer1k: 29, ttftSigma: 0.3, outputTokensPerSec: 30, speedJitter: 0.1 };

/** By model family prefix (the longest match wins); "*" is an unknown Claude model, taken as Sonnet. */
export const DEFAULT_LATENCY_PROFILES: Readonly<Record<string, LatencyProfile>> = {
  "*": SONNET,
  "claude-haiku": HAIKU_4,
  "claude-3-haiku": HAIKU_3,
  "claude-3-5-haiku": HAIKU_3,
  "claude-sonnet": SONNET,
  "claude-3-5-sonnet": SONNET,
  "claude-3-7-sonnet": SONNET,
  "claude-opus": OPUS_4_5,
  "claude-3-opus": OPUS_3,
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

/** A request's random draws, taken in sequence order whatever the settings, so runs reproduce. */
export type TimingDraw = { z: number; jitter: number };

export function drawTiming(rng: Rng): TimingDraw {
  return { z: normal(rng), jitter: rng() * 2 - 1 };
}

/** The prompt tokens the way the prompt cache split them (the reply's usage). */
export type PromptTokens = { inputTokens: number; cacheReadTokens: number; cacheWrite5mTokens: number; cacheWrite1hTokens: number };

export function profileFor(model: string, settings: Pick<LatencySettings, "profiles"> = {}): LatencyProfile {
  return matchModel({ ...DEFAULT_LATENCY_PROFILES, ...settings.profiles }, model)!;
}

/** The median TTFT of a prompt, before jitter and scaling (what the README's table works out). */
export function medianTtftMs(profile: LatencyProfile, prompt: PromptTokens): number {
  const uncached = prompt.inputTokens + prompt.cacheWrite5mTokens + prompt.cacheWrite1hTokens;
  return profile.ttftBaseMs + (profile.prefillMsPer1k * uncached) / 1000 + (profile.cacheReadMsPer1k * prompt.cacheReadTokens) / 1000;
}

export function planTiming(model: string, settings: LatencySettings, draw: TimingDraw, prompt: PromptTokens): ReplyTiming {
  if (settings.fixedLatencyMs !== undefined) {
    return { ttftMs: settings.fixedLatencyMs, msPerToken: 0, fixedDeltaMs: settings.deltaIntervalMs ?? 0 };
  }
  const scale = settings.latencyScale ?? 1;
  const profile = profileFor(model, settings);
  const ttft = medianTtftMs(profile, prompt) * Math.exp(profile.ttftSigma * draw.z);
  const speed = profile.outputTokensPerSec * (1 + profile.speedJitter * draw.jitter);
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
