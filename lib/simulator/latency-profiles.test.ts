import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { drawTiming, medianTtftMs, planTiming, profileFor, totalDelayMs, type LatencyProfile } from "./latency-profiles";
import { createRng, seedFrom } from "./prng";
import { OUTPUT_TOKENS_HEADER } from "./reply-length";
import { startSimulatorServer } from "./server";

const prompt = (inputTokens: number, cacheReadTokens = 0, cacheWrite5mTokens = 0) => ({ inputTokens, cacheReadTokens, cacheWrite5mTokens, cacheWrite1hTokens: 0 });
const still = { z: 0, jitter: 0 };
const MODELS = ["claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-6"] as const;

describe("latency profiles", () => {
  it("make haiku, sonnet and opus genuinely different in TTFT and output speed", () => {
    const median = (model: string, pick: (t: ReturnType<typeof planTiming>) => number) => {
      const rng = createRng(seedFrom("profiles", 1));
      const xs = Array.from({ length: 301 }, () => pick(planTiming(model, {}, drawTiming(rng), prompt(1000)))).sort((a, b) => a - b);
      return xs[150]!;
    };
    const ttft = MODELS.map((m) => median(m, (t) => t.ttftMs));
    const msPerToken = MODELS.map((m) => median(m, (t) => t.msPerToken));
    expect(ttft[0]! * 1.4).toBeLessThan(ttft[1]!);
    expect(ttft[1]! * 1.4).toBeLessThan(ttft[2]!);
    expect(msPerToken[0]! * 1.4).toBeLessThan(msPerToken[1]!);
    expect(msPerToken[1]! * 1.3).toBeLessThan(msPerToken[2]!);
  });

  it("grow the TTFT by the prefill of every uncached 1K tokens, cache writes included", () => {
    for (const model of MODELS) {
      const p = profileFor(model);
      const base = planTiming(model, {}, still, prompt(0)).ttftMs;
      expect(base).toBeCloseTo(p.ttftBaseMs, 6);
      expect(planTiming(model, {}, still, prompt(20_000)).ttftMs - base).toBeCloseTo(20 * p.prefillMsPer1k, 6);
      expect(planTiming(model, {}, still, prompt(0, 0, 20_000)).ttftMs - base).toBeCloseTo(20 * p.prefillMsPer1k, 6);
    }
  });

  it("prefill tokens read from the prompt cache at a fraction of the cost", () => {
    for (const model of MODELS) {
      const p = profileFor(model);
      const uncached = planTiming(model, {}, still, prompt(100_100)).ttftMs;
      const cached = planTiming(model, {}, still, prompt(100, 100_000)).ttftMs;
      expect(cached).toBeCloseTo(p.ttftBaseMs + 0.1 * p.prefillMsPer1k + 100 * p.cacheReadMsPer1k, 6);
      // Anthropic's announcement: a 100K-token cached prompt cut the TTFT by 79%.
      expect(cached / uncached).toBeLessThan(0.35);
      expect(p.cacheReadMsPer1k * 5).toBeLessThan(p.prefillMsPer1k);
    }
  });

  it("scale every delay by latencyScale, and leave a fixed benchmark latency as set", () => {
    const full = planTiming("claude-sonnet-4-6", {}, still, prompt(5000));
    const scaled = planTiming("claude-sonnet-4-6", { latencyScale: 0.05 }, still, prompt(5000));
    expect(scaled.ttftMs).toBeCloseTo(full.ttftMs * 0.05, 6);
    expect(scaled.msPerToken).toBeCloseTo(full.msPerToken * 0.05, 6);
    expect(totalDelayMs(scaled, 300)).toBeCloseTo(totalDelayMs(full, 300) * 0.05, 6);
    const fixed = planTiming("claude-opus-4-6", { fixedLatencyMs: 20, deltaIntervalMs: 5 }, still, prompt(100_000));
    expect(fixed).toEqual({ ttftMs: 20, msPerToken: 0, fixedDeltaMs: 5 });
  });

  it("spread the TTFT log-normally around the median, p95 near 1.6x", () => {
    const rng = createRng(seedFrom("spread", 2));
    const xs = Array.from({ length: 4001 }, () => planTiming("claude-sonnet-4-6", {}, drawTiming(rng), prompt(1000)).ttftMs).sort((a, b) => a - b);
    const median = medianTtftMs(profileFor("claude-sonnet-4-6"), prompt(1000));
    expect(xs[2000]! / median).toBeGreaterThan(0.95);
    expect(xs[2000]! / median).toBeLessThan(1.05);
    expect(xs[3800]! / median).toBeGreaterThan(1.45);
    expect(xs[3800]! / median).toBeLessThan(1.8);
  });

  it("time a served reply by the prompt cache's split: a cached 20K-token prefix answers sooner", async () => {
    // No jitter and no output time, so the wait is the prefill alone: 20K x 10 ms vs 20K x 1 ms.
    const flat: LatencyProfile = { ttftBaseMs: 0, prefillMsPer1k: 10, cacheReadMsPer1k: 1, ttftSigma: 0, outputTokensPerSec: 1e9, speedJitter: 0 };
    const sim = await startSimulatorServer({ profiles: { "claude-sonnet": flat } });
    try {
      const client = new Anthropic({ baseURL: sim.url, apiKey: "k", maxRetries: 0 });
      const system: Anthropic.TextBlockParam[] = [{ type: "text", text: "x".repeat(80_000), cache_control: { type: "ephemeral" } }];
      const timed = async () => {
        const t0 = performance.now();
        const m = await client.messages.create({ model: "claude-sonnet-4-6", max_tokens: 16, system, messages: [{ role: "user", content: "hi" }] });
        return { ms: performance.now() - t0, usage: m.usage };
      };
      const first = await timed();
      const second = await timed();
      expect(first.usage.cache_creation_input_tokens).toBe(20_000);
      expect(second.usage.cache_read_input_tokens).toBe(20_000);
      expect(first.ms).toBeGreaterThanOrEqual(199);
      expect(second.ms).toBeLessThan(first.ms * 0.6);
    } finally {
      await sim.close();
    }
  });

  it("stream a reply in the time the same reply takes unstreamed, however short each delta's pause", async () => {
    // 2 ms per token: pauses per delta of a few ms, the range where a timer per delta overshoots by a
    // tick each and the stream ran ~1.5x long. Both replies are ~400 output tokens.
    const even: LatencyProfile = { ttftBaseMs: 20, prefillMsPer1k: 0, cacheReadMsPer1k: 0, ttftSigma: 0, outputTokensPerSec: 500, speedJitter: 0 };
    const sim = await startSimulatorServer({ profiles: { "claude-sonnet": even }, seed: 3 });
    try {
      const client = new Anthropic({ baseURL: sim.url, apiKey: "k", maxRetries: 0, defaultHeaders: { [OUTPUT_TOKENS_HEADER]: "400" } });
      const params = { model: "claude-sonnet-4-6", max_tokens: 1000, messages: [{ role: "user" as const, content: "Write a long essay about tide pools." }] };
      // Warm the connection and the code paths first: the first call also pays for those.
      await client.messages.create({ ...params, max_tokens: 1 });
      await client.messages.stream({ ...params, max_tokens: 1 }).finalMessage();
      let t0 = performance.now();
      const whole = await client.messages.create(params);
      const wholeMs = performance.now() - t0;
      t0 = performance.now();
      const stream = client.messages.stream(params);
      const streamed = await stream.finalMessage();
      const streamedMs = performance.now() - t0;
      expect(streamed.usage.output_tokens).toBe(whole.usage.output_tokens);
      expect(whole.usage.output_tokens).toBeGreaterThanOrEqual(300);
      // The unstreamed reply waits 20 ms + 2 ms per token in one timer.
      expect(wholeMs).toBeGreaterThanOrEqual(20 + 2 * whole.usage.output_tokens - 5);
      expect(streamedMs).toBeGreaterThanOrEqual(wholeMs * 0.95);
      expect(streamedMs).toBeLessThanOrEqual(wholeMs * 1.05);
    } finally {
      await sim.close();
    }
  });

  it("draw the same timing noise for the same request whatever order the requests arrive in", async () => {
    // A wide log-normal spread and no output time: each reply waits its TTFT draw alone.
    const noisy: LatencyProfile = { ttftBaseMs: 120, prefillMsPer1k: 0, cacheReadMsPer1k: 0, ttftSigma: 0.8, outputTokensPerSec: 1e9, speedJitter: 0 };
    const timedInOrder = async (order: number[]) => {
      const sim = await startSimulatorServer({ profiles: { "claude-sonnet": noisy }, seed: 11 });
      try {
        const client = new Anthropic({ baseURL: sim.url, apiKey: "k", maxRetries: 0 });
        await client.messages.create({ model: "claude-haiku-4-5", max_tokens: 1, messages: [{ role: "user", content: "warm-up" }] });
        const ms = new Map<number, number>();
        for (const q of order) {
          const t0 = performance.now();
          await client.messages.create({ model: "claude-sonnet-4-6", max_tokens: 8, messages: [{ role: "user", content: `question ${q}` }] });
          ms.set(q, performance.now() - t0);
        }
        return ms;
      } finally {
        await sim.close();
      }
    };
    const forward = await timedInOrder([0, 1, 2, 3, 4, 5]);
    const backward = await timedInOrder([5, 4, 3, 2, 1, 0]);
    const times = [...forward.values()];
    // The noise is real: the requests' waits differ widely...
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(60);
    // ...and each request keeps its own wait in either order.
    for (const [q, ms] of forward) expect(Math.abs(ms - backward.get(q)!), `question ${q}`).toBeLessThan(15 + 0.1 * ms);
  });
});
