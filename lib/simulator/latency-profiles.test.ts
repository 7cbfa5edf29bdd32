import { describe, expect, it } from "vitest";
import { CACHE_HIT_TTFT_SAVING, planTiming, withPromptCacheHit } from "./latency-profiles";
import { createRng, seedFrom } from "./prng";

const usage = (inputTokens: number, cacheReadTokens: number) => ({ inputTokens, cacheReadTokens, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 });

describe("latency profiles", () => {
  it("make haiku, sonnet and opus genuinely different in TTFT and output speed", () => {
    const median = (model: string, pick: (t: ReturnType<typeof planTiming>) => number) => {
      const rng = createRng(seedFrom("profiles", 1));
      const xs = Array.from({ length: 301 }, () => pick(planTiming(model, {}, rng))).sort((a, b) => a - b);
      return xs[150]!;
    };
    const ttft = ["claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-6"].map((m) => median(m, (t) => t.ttftMs));
    const msPerToken = ["claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-6"].map((m) => median(m, (t) => t.msPerToken));
    expect(ttft[0]! * 1.5).toBeLessThan(ttft[1]!);
    expect(ttft[1]! * 1.5).toBeLessThan(ttft[2]!);
    expect(msPerToken[0]! * 1.5).toBeLessThan(msPerToken[1]!);
    expect(msPerToken[1]! * 1.5).toBeLessThan(msPerToken[2]!);
  });

  it("shorten the TTFT in proportion to the share of the prompt read from the prompt cache", () => {
    const timing = { ttftMs: 1000, msPerToken: 10 };
    expect(withPromptCacheHit(timing, usage(100, 0)).ttftMs).toBe(1000);
    expect(withPromptCacheHit(timing, usage(0, 100)).ttftMs).toBeCloseTo(1000 * (1 - CACHE_HIT_TTFT_SAVING), 6);
    expect(withPromptCacheHit(timing, usage(50, 50)).ttftMs).toBeCloseTo(1000 * (1 - CACHE_HIT_TTFT_SAVING / 2), 6);
    expect(withPromptCacheHit(timing, usage(0, 100)).msPerToken).toBe(10);
  });

  it("leave a fixed benchmark latency as set", () => {
    const fixed = { ttftMs: 20, msPerToken: 0, fixedDeltaMs: 5 };
    expect(withPromptCacheHit(fixed, usage(0, 100))).toEqual(fixed);
  });
});
