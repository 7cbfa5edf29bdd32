import { describe, expect, it } from "vitest";
import { CachePolicy } from "../../policies/cache-policy-schema";
import { RoutingPolicy } from "../../policies/routing-policy-schema";
import { clientRequests, recordWorld, recordWorldRows, worldPrices, type WorldPolicy } from "../testing/traffic-world";
import { llmRow, trafficOf } from "../testing/traffic-rows";
import { runReplay } from "./run-replay";
import type { ReplayPolicies } from "./simulate";

const MODEL = "claude-sonnet-4-5";
const routing = (doc: unknown) => RoutingPolicy.parse(doc);
const cache = (doc: unknown) => CachePolicy.parse(doc);
const NONE: ReplayPolicies = { routing: routing({}), cache: cache({}) };
const prices = worldPrices();
const within = (x: number | null, y: number | null, tol: number) => {
  expect(x).not.toBeNull();
  expect(y).not.toBeNull();
  expect(Math.abs(x! - y!) / Math.abs(y!)).toBeLessThanOrEqual(tol);
};

function scenario(policy: WorldPolicy, reqOpts: Partial<Parameters<typeof clientRequests>[0]> = {}) {
  const reqs = clientRequests({ seed: 3, count: 600, routes: ["faq", "agent"], model: MODEL, repeatShare: 0.3, ...reqOpts });
  return { reqs, traffic: recordWorld(reqs, policy) };
}

/** recordWorld, with the nc-route calls on a model that has no price (cost 0, unpriced, as recorded). */
function withUnpriced(reqs: Parameters<typeof recordWorldRows>[0], policy: Parameters<typeof recordWorldRows>[1]) {
  const rows = recordWorldRows(reqs, policy).map((r) => (r.route === "nc-route" ? { ...r, model: "claude-nonexistent-9", requestedModel: "claude-nonexistent-9", costNano: 0, unpriced: true } : r));
  return trafficOf(rows, [], { projectId: "p", fromMs: reqs[0]!.ts, toMs: reqs.at(-1)!.ts + 1 });
}

describe("runReplay", () => {
  it("backtests the live policy to what was measured (p95 and cost per request within 5%)", async () => {
    const { traffic } = scenario({ responseCacheTtlSec: 600, promptCaching: "5m" });
    const live: ReplayPolicies = {
      routing: routing({ default: { promptCaching: { enabled: true, ttl: "5m" } } }),
      cache: cache({ default: { ttlSec: 600 } }),
    };
    const answer = await runReplay({ traffic, live, candidate: live, prices });
    expect(answer.notEnoughData).toBeNull();
    const { backtestError, measured, backtest } = answer.overall;
    expect(Math.abs(backtestError!.latencyP95Ms!)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(backtestError!.costPerRequestUsd!)).toBeLessThanOrEqual(0.05);
    expect(backtest!.responseCacheHitRate).toBeCloseTo(measured.responseCacheHitRate!, 2);
    for (const r of answer.routes) expect(Math.abs(r.backtestError!.latencyP95Ms!)).toBeLessThanOrEqual(0.05);
  });

  it("predicts a response-cache TTL and prompt caching as a rerun under them measures (within 10%)", async () => {
    const { reqs, traffic } = scenario({});
    const candidate: ReplayPolicies = {
      routing: routing({ default: { promptCaching: { enabled: true, ttl: "5m" } } }),
      cache: cache({ default: { ttlSec: 600 } }),
    };
    const answer = await runReplay({ traffic, live: NONE, candidate, prices });
    const rerun = recordWorld(reqs, { responseCacheTtlSec: 600, promptCaching: "5m" });
    const measured = (await runReplay({ traffic: rerun, live: candidate, candidate, prices })).overall.measured;
    const p = answer.overall.predicted!;
    within(p.latencyP95Ms, measured.latencyP95Ms, 0.1);
    within(p.ttftP95Ms, measured.ttftP95Ms, 0.1);
    within(p.costPerRequestUsd, measured.costPerRequestUsd, 0.1);
    within(p.responseCacheHitRate, measured.responseCacheHitRate, 0.1);
    expect(p.responseCacheHitRate!).toBeGreaterThan(0.2);
    expect(p.costPerRequestUsd!).toBeLessThan(answer.overall.measured.costPerRequestUsd!);
  });

  it("re-times a model switch with the timing observed for the new model", async () => {
    // Both models have traffic: the fit learns haiku's timing from its own calls.
    const reqs = clientRequests({ seed: 5, count: 800, routes: ["faq", "chat"], model: MODEL });
    const traffic = recordWorld(reqs, { models: { chat: "claude-haiku-4-5" } });
    const candidate: ReplayPolicies = { routing: routing({ default: { model: "claude-haiku-4-5" } }), cache: cache({}) };
    const answer = await runReplay({ traffic, live: NONE, candidate, prices });
    const measured = (await runReplay({ traffic: recordWorld(reqs, { models: { faq: "claude-haiku-4-5", chat: "claude-haiku-4-5" } }), live: candidate, candidate, prices })).overall.measured;
    expect(answer.timing.find((t) => t.model === "claude-haiku-4-5")?.source).toBe("traffic");
    within(answer.overall.predicted!.latencyP95Ms, measured.latencyP95Ms, 0.1);
    within(answer.overall.predicted!.costPerRequestUsd, measured.costPerRequestUsd, 0.1);
  });

  it("falls back to the simulator's profile for a model with no traffic, and says so", async () => {
    const { traffic } = scenario({});
    const candidate: ReplayPolicies = { routing: routing({ default: { model: "claude-opus-4-1" } }), cache: cache({}) };
    const answer = await runReplay({ traffic, live: NONE, candidate, prices });
    expect(answer.timing.find((t) => t.model === "claude-opus-4-1")?.source).toBe("profile");
    expect(answer.notes.join(" ")).toMatch(/claude-opus-4-1 has no calls in this window/);
  });

  it("says how many calls a model had when they are too few to fit, not that it has none", async () => {
    const reqs = clientRequests({ seed: 5, count: 400, routes: ["faq", "chat"], model: MODEL });
    // 12 of chat's calls on haiku: under the fit's minimum of 20.
    let chat = 0;
    const mixed = recordWorld(
      reqs.map((r) => (r.route === "chat" && chat++ < 12 ? { ...r, route: "chat-small" } : r)),
      { models: { "chat-small": "claude-haiku-4-5" } },
    );
    const candidate: ReplayPolicies = { routing: routing({ default: { model: "claude-haiku-4-5" } }), cache: cache({}) };
    const answer = await runReplay({ traffic: mixed, live: NONE, candidate, prices });
    expect(answer.timing.find((t) => t.model === "claude-haiku-4-5")).toMatchObject({ source: "profile", samples: 12 });
    const note = answer.notes.find((n) => n.startsWith("claude-haiku-4-5"))!;
    expect(note).toMatch(/has only 12 successful calls not served from the response cache in this window, and the fit needs 20/);
    expect(note).not.toMatch(/no calls/);
  });

  it("refreshes a prompt-cache entry on each read, and lets it expire past the TTL", async () => {
    // Gaps of 4 minutes: every call after the first reads (the TTL restarts at each read).
    const steady = recordWorld(clientRequests({ seed: 1, count: 40, routes: ["faq"], model: MODEL, spacingMs: 1 }).map((r, k) => ({ ...r, ts: k * 240_000, messageTokens: 100 })), {});
    const on: ReplayPolicies = { routing: routing({ default: { promptCaching: { enabled: true, ttl: "5m" } } }), cache: cache({}) };
    const a = (await runReplay({ traffic: steady, live: NONE, candidate: on, prices })).overall.predicted!;
    // Each call reads the 4000-token system prompt except the first, which writes it.
    expect(a.promptCacheHitRate!).toBeCloseTo((39 * 4000) / (40 * 4100), 6);
    // Gaps of 6 minutes: every entry has expired by the next call.
    const sparse = recordWorld(clientRequests({ seed: 1, count: 40, routes: ["faq"], model: MODEL, spacingMs: 1 }).map((r, k) => ({ ...r, ts: k * 360_000, messageTokens: 100 })), {});
    const b = (await runReplay({ traffic: sparse, live: NONE, candidate: on, prices })).overall.predicted!;
    expect(b.promptCacheHitRate).toBe(0);
  });

  it("does not cache a system prompt below the model's minimum cacheable length", async () => {
    const { traffic } = scenario({}, { systemTokens: 600 });
    const on: ReplayPolicies = { routing: routing({ default: { promptCaching: { enabled: true } } }), cache: cache({}) };
    const answer = await runReplay({ traffic, live: NONE, candidate: on, prices });
    expect(answer.overall.predicted!.promptCacheHitRate).toBe(0);
  });

  it("says not enough data for a window with no traffic and for a route under 30 requests", async () => {
    const empty = trafficOf([]);
    const none = await runReplay({ traffic: empty, live: NONE, candidate: NONE, prices });
    expect(none.notEnoughData).toMatch(/not enough data: 0 requests/);
    expect(none.overall.predicted).toBeNull();
    const reqs = [...clientRequests({ seed: 2, count: 100, routes: ["big"], model: MODEL }), ...clientRequests({ seed: 4, count: 12, routes: ["small"], model: MODEL })].sort((a, b) => a.ts - b.ts);
    const answer = await runReplay({ traffic: recordWorld(reqs, {}), live: NONE, candidate: NONE, prices });
    const small = answer.routes.find((r) => r.route === "small")!;
    expect(small.notEnoughData).toBe("not enough data: 12 requests, 30 needed");
    expect(small.predicted).toBeNull();
    expect(answer.routes.find((r) => r.route === "big")!.predicted).not.toBeNull();
  });

  it("leaves cost out, naming the model, when a route's model has no price", async () => {
    const { traffic } = scenario({});
    const candidate: ReplayPolicies = { routing: routing({ rules: [{ id: "faq", match: { route: "faq" }, action: { model: "claude-unpriced-9" } }] }), cache: cache({}) };
    const answer = await runReplay({ traffic, live: NONE, candidate, prices });
    const faq = answer.routes.find((r) => r.route === "faq")!;
    expect(faq.predicted!.costPerRequestUsd).toBeNull();
    expect(faq.predicted!.unpricedModels).toEqual(["claude-unpriced-9"]);
    expect(answer.routes.find((r) => r.route === "agent")!.predicted!.costPerRequestUsd).not.toBeNull();
    expect(answer.notes.join(" ")).toMatch(/No price for claude-unpriced-9/);
  });

  it("replays the TTL a caller asked for (x-pitwall-cache-ttl) as the gateway resolved it", async () => {
    // 10 prompts, each asked 10 times a second apart with a 1-hour TTL in the header; the live policy
    // caches nothing itself but lets callers choose, so the gateway served 90 of the 100 from cache.
    const t0 = Date.parse("2026-11-30T01:00:00Z");
    const rows = Array.from({ length: 100 }, (_, k) => {
      const repeat = k >= 10;
      return llmRow({
        tsMs: t0 + k * 1000,
        route: "support",
        promptHash: `support-${k % 10}`,
        requestedCacheTtlSec: 3600,
        responseCache: repeat ? "hit" : "miss",
        latencyMs: repeat ? 5 : 1000,
        ttftMs: repeat ? 5 : 300,
        ...(repeat ? { inputTokens: 0, outputTokens: 0, costNano: 0 } : {}),
      });
    });
    const traffic = trafficOf(rows);
    const callersChoose: ReplayPolicies = { routing: routing({}), cache: cache({ default: { ttlSec: 0 }, clientTtl: "any" }) };
    const answer = await runReplay({ traffic, live: callersChoose, candidate: callersChoose, prices });
    expect(answer.overall.measured.responseCacheHitRate).toBeCloseTo(0.9, 5);
    expect(answer.overall.backtest!.responseCacheHitRate).toBeCloseTo(0.9, 5);
    expect(Math.abs(answer.overall.backtestError!.latencyP50Ms!)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(answer.overall.backtestError!.costPerRequestUsd!)).toBeLessThanOrEqual(0.05);
    // Under the default clientTtl ("lower") the header can only shorten a TTL: nothing is cached.
    const lowerOnly: ReplayPolicies = { routing: routing({}), cache: cache({ default: { ttlSec: 0 } }) };
    const lowered = await runReplay({ traffic, live: callersChoose, candidate: lowerOnly, prices });
    expect(lowered.overall.predicted!.responseCacheHitRate).toBe(0);
    // And a header asking 60 s under a 1-hour policy: each entry lasts a minute from its write, so
    // each prompt (asked every 10 s) misses at 0 s and 70 s: 8 hits in 10, not the 1-hour policy's 9.
    const shortAsk = trafficOf(rows.map((r) => ({ ...r, requestedCacheTtlSec: 60 })));
    const capped = await runReplay({ traffic: shortAsk, live: lowerOnly, candidate: { routing: routing({}), cache: cache({ default: { ttlSec: 3600 } }) }, prices });
    expect(capped.overall.predicted!.responseCacheHitRate).toBeCloseTo(0.8, 5);
  });

  it("leaves only an unpriced route out of the overall cost, and says why", async () => {
    const reqs = clientRequests({ seed: 3, count: 600, routes: ["faq", "agent"], model: MODEL });
    // Three calls on a model with no price row, recorded as the gateway records them (cost 0, unpriced).
    const odd = clientRequests({ seed: 4, count: 3, routes: ["nc-route"], model: MODEL });
    const traffic = withUnpriced([...reqs, ...odd].sort((a, b) => a.ts - b.ts), {});
    const priced = recordWorld(reqs, {});
    const answer = await runReplay({ traffic, live: NONE, candidate: NONE, prices });
    const alone = await runReplay({ traffic: priced, live: NONE, candidate: NONE, prices });
    for (const f of [answer.overall.measured, answer.overall.backtest!, answer.overall.predicted!]) {
      expect(f.costExcludedRoutes).toEqual(["nc-route"]);
      expect(f.unpricedModels).toEqual(["claude-nonexistent-9"]);
    }
    // The other routes' cost, exactly as without the unpriced calls.
    expect(answer.overall.measured.costPerRequestUsd).toBeCloseTo(alone.overall.measured.costPerRequestUsd!, 12);
    expect(answer.overall.predicted!.costPerRequestUsd).toBeCloseTo(alone.overall.predicted!.costPerRequestUsd!, 12);
    expect(answer.overall.backtestError!.costPerRequestUsd).not.toBeNull();
    expect(answer.routes.find((r) => r.route === "nc-route")!.measured.costPerRequestUsd).toBeNull();
    expect(answer.notes).toContain("No price for claude-nonexistent-9 (nc-route): cost per request leaves that route out, overall it is over the other routes' calls. Add the price on the pricing page.");
  });

  it("stops when cancelled mid-way", async () => {
    const reqs = clientRequests({ seed: 9, count: 120_000, routes: ["faq"], model: MODEL, repeatShare: 0 });
    const traffic = recordWorld(reqs, {});
    const ctl = new AbortController();
    const seen: number[] = [];
    const run = runReplay({ traffic, live: NONE, candidate: NONE, prices, signal: ctl.signal, onProgress: (f) => { seen.push(f); if (f > 0.2) ctl.abort(); } });
    await expect(run).rejects.toThrow(/abort/i);
    expect(Math.max(...seen)).toBeLessThan(1);
  });
});
