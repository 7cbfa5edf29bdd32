import { describe, expect, it } from "vitest";
import { CachePolicy } from "../../policies/cache-policy-schema";
import { CLEAN_MANIFEST, REFERENCE_MANIFEST, type RouteManifest } from "../../demo/reference/manifest";
import { FindingsAnswer, MIN_REQUESTS_PER_ROUTE, type Finding } from "../finding-schema";
import { manifestTraffic } from "../testing/manifest-traffic";
import { worldPrices } from "../testing/traffic-world";
import { llmRow, trafficOf } from "../testing/traffic-rows";
import { analyzeFindings, analyzeFindingsInSteps } from "./analyze-findings";

const prices = worldPrices();
const analyze = (t: ReturnType<typeof manifestTraffic>) => analyzeFindings(t, { prices, projectSlug: "demo" });

/** The manifest figure each finding's measured rate stands for. */
function plantedRate(kind: Finding["kind"], r: RouteManifest): number {
  switch (kind) {
    case "response_cache":
      return r.repeatShare;
    case "prompt_caching":
      return r.uncachedSystemShare;
    case "streaming":
      return 1 - r.streamedShare;
    case "sequential_tools":
      return r.toolsSequential ? 1 : 0;
    case "context_growth":
      return 1;
    case "model_right_sizing":
      return r.shortSimpleShare;
    case "batch":
      return r.interactive ? 0 : 1;
  }
}

describe("analyzeFindings on the reference manifest's rates", () => {
  const answer = analyze(manifestTraffic(REFERENCE_MANIFEST, { seed: 7, requests: 4000 }));

  it("answers the API's schema", () => {
    expect(FindingsAnswer.safeParse(answer).success).toBe(true);
  });

  it("finds every planted opportunity, each rate within 10% of the manifest, and nothing unplanted", () => {
    for (const r of REFERENCE_MANIFEST.routes) {
      const found = answer.findings.filter((f) => f.route === r.route);
      expect([r.route, found.map((f) => f.kind).sort()]).toEqual([r.route, [...r.planted].sort()]);
      for (const f of found) {
        const want = plantedRate(f.kind, r);
        expect([r.route, f.kind, Math.abs(f.evidence.rate - want) <= 0.1 * want]).toEqual([r.route, f.kind, true]);
      }
    }
  });

  it("measures the context growth per turn and the tools' sum against their critical path", () => {
    const growth = answer.findings.find((f) => f.kind === "context_growth")!;
    expect(Math.abs((growth.evidence.details.growthPerTurn as number) - 10_000)).toBeLessThanOrEqual(1000);
    const tools = answer.findings.find((f) => f.kind === "sequential_tools")!;
    expect(tools.evidence.details.sumMsP50).toBe(1000);
    expect(tools.evidence.details.criticalPathMsP50).toBe(200);
    expect(tools.impact.p50Ms).toBe(800);
  });

  it("ranks by dollars per day saved", () => {
    const usd = answer.findings.map((f) => f.impact.usdPerDay);
    expect(usd).toEqual([...usd].sort((a, b) => b - a));
    expect(usd[0]).toBeGreaterThan(0);
  });

  it("names the cheaper model with a playground link, and the batch discount at half the cost", () => {
    const rs = answer.findings.find((f) => f.kind === "model_right_sizing")!;
    expect(rs.evidence.details.candidateModel).toBe("claude-haiku-4-5");
    expect(rs.evidence.details.playgroundPath).toMatch(/^\/p\/demo\/playground\?c=/);
    const batch = answer.findings.find((f) => f.kind === "batch")!;
    expect(batch.impact.usdPerRequest).toBeGreaterThan(0);
  });
});

describe("analyzeFindings on the clean manifest", () => {
  it("finds nothing at all", () => {
    const answer = analyze(manifestTraffic(CLEAN_MANIFEST, { seed: 7, requests: 4000 }));
    expect(answer.findings.map((f) => `${f.route}:${f.kind}`)).toEqual([]);
    expect(answer.skipped).toEqual([]);
  });
});

describe("analyzeFindings on thin or unpriced traffic", () => {
  it("skips a route under the minimum as not enough data, never guessing", () => {
    const rows = Array.from({ length: MIN_REQUESTS_PER_ROUTE - 1 }, () => llmRow({ route: "thin", promptHash: "same", streamed: false, outputTokens: 800 }));
    const answer = analyze(trafficOf(rows));
    expect(answer.findings).toEqual([]);
    expect(answer.skipped).toEqual([{ route: "thin", agent: "a", requests: MIN_REQUESTS_PER_ROUTE - 1, reason: "not enough data: 29 requests, 30 needed" }]);
  });

  it("says so when a route has no price instead of inventing a cost", () => {
    const rows = Array.from({ length: 60 }, (_, k) => llmRow({ route: "mystery", model: "mystery-model", promptHash: k % 2 ? "same" : `p${k}`, unpriced: true, costNano: 0 }));
    const f = analyze(trafficOf(rows)).findings.find((x) => x.kind === "response_cache")!;
    expect(f.impact.usdPerDay).toBe(0);
    expect(f.evidence.details.priced).toBe(false);
    expect(f.recommendation).toMatch(/no price/);
  });
});

describe("analyzeFindings on routes the response cache already answers", () => {
  // A hit is recorded with 0 tokens, $0 and a few ms: the gateway answered, the model never ran.
  const hit = (o: Parameters<typeof llmRow>[0]) => llmRow({ responseCache: "hit", inputTokens: 0, outputTokens: 0, costNano: 0, latencyMs: 2.4, ttftMs: null, streamed: false, ...o });
  const rows = [
    ...Array.from({ length: 60 }, (_, k) => hit({ route: "support-answer", promptHash: `s${k % 5}`, systemHash: "sys", systemTokens: 4000 })),
    // The calls that reached the model did cache their system prompt (all but one).
    ...Array.from({ length: 40 }, (_, k) => llmRow({ route: "support-answer", responseCache: "miss", systemHash: "sys", systemTokens: 4000, inputTokens: 300, cacheReadTokens: k === 0 ? 0 : 4000, cacheWrite5mTokens: k === 0 ? 4000 : 0 })),
    ...Array.from({ length: 60 }, (_, k) => hit({ route: "research-planner", model: "claude-opus-4-6", requestedModel: "claude-opus-4-6", promptHash: `r${k % 5}` })),
    ...Array.from({ length: 40 }, () => llmRow({ route: "research-planner", model: "claude-opus-4-6", requestedModel: "claude-opus-4-6", responseCache: "miss", inputTokens: 3000, outputTokens: 600, latencyMs: 9000 })),
  ].sort((a, b) => a.tsMs - b.tsMs);
  const answer = analyze(trafficOf(rows));
  const kinds = (route: string) => answer.findings.filter((f) => f.route === route).map((f) => f.kind);

  it("judges prompt caching on the calls that reached the model, not on the hits", () => {
    expect(kinds("support-answer")).not.toContain("prompt_caching");
  });

  it("does not call a route short and simple because its cache hits carry no tokens", () => {
    expect(kinds("research-planner")).not.toContain("model_right_sizing");
  });

  it("still counts the hits where the response cache is judged", () => {
    const f = answer.findings.find((x) => x.route === "support-answer" && x.kind === "response_cache");
    // 60 hits of 5 prompts: no repeat left for the cache to answer, and the hits are counted as such.
    expect(f).toBeUndefined();
    const repeatsOnly = analyze(trafficOf([...Array.from({ length: 40 }, (_, k) => llmRow({ route: "x", promptHash: `q${k % 4}` })), ...Array.from({ length: 20 }, (_, k) => hit({ route: "x", promptHash: `q${k % 4}` }))]));
    const rc = repeatsOnly.findings.find((x) => x.kind === "response_cache")!;
    expect(rc.evidence.requests).toBe(60);
    expect(rc.evidence.details.recordedHits).toBe(20);
  });
});

describe("the response-cache finding against the live cache policy", () => {
  // 40 prompts, each sent at t, t+200 s and t+900 s: a 5-minute TTL hits the second send, 15 min the third too.
  const t0 = Date.parse("2026-11-29T01:00:00Z");
  const rows = Array.from({ length: 40 }, (_, p) => [0, 200, 900].map((dt, k) =>
    llmRow({ route: "research-planner", promptHash: `q${p}`, tsMs: t0 + p * 1000 + dt * 1000, ...(k === 1 ? { responseCache: "hit", costNano: 0, inputTokens: 0, outputTokens: 0, latencyMs: 3 } : { responseCache: "miss" }) }),
  )).flat().sort((a, b) => a.tsMs - b.tsMs);
  const traffic = trafficOf(rows);
  const live = (ttlSec: number) => CachePolicy.parse({ rules: [{ id: "rp", match: { route: "research-planner" }, ttlSec }] });
  const find = (ttlSec?: number) => analyzeFindings(traffic, { prices, projectSlug: "demo", ...(ttlSec !== undefined ? { liveCache: live(ttlSec) } : {}) }).findings.find((f) => f.kind === "response_cache");

  it("says which TTL is live and recommends raising it, counting only what the longer TTL adds", () => {
    const f = find(300)!;
    expect(f.evidence.details.recommendedTtlSec).toBe(900);
    expect(f.evidence.details.liveTtlSec).toBe(300);
    expect(f.recommendation).toMatch(/^A TTL of 5 min is live on this route \(33% of requests would be hits at it\); raising it to 15 min would make 67% hits/);
    // The gain is the third sends (40 calls at $0.003) over the two-day window.
    expect(f.impact.usdPerDay).toBeCloseTo((40 * 0.003) / 2, 6);
  });

  it("recommends nothing when the live TTL is at or past the knee", () => {
    expect(find(900)).toBeUndefined();
    expect(find(3600)).toBeUndefined();
    expect(find(0)!.recommendation).toMatch(/^Cache responses on this route with a TTL of 15 min/);
  });

  it("counts a TTL the callers chose (x-pitwall-cache-ttl under clientTtl any) as live", () => {
    const asked = trafficOf(rows.map((r) => ({ ...r, requestedCacheTtlSec: 900 })));
    const callersChoose = CachePolicy.parse({ clientTtl: "any" });
    const f = analyzeFindings(asked, { prices, projectSlug: "demo", liveCache: callersChoose }).findings.find((x) => x.kind === "response_cache");
    expect(f).toBeUndefined();
    expect(analyzeFindings(asked, { prices, projectSlug: "demo", liveCache: CachePolicy.parse({}) }).findings.find((x) => x.kind === "response_cache")).toBeDefined();
  });
});

describe("the response-cache finding with callers' Cache-Control", () => {
  // 40 prompts, each sent at t, t+200 s and t+900 s, no cache live: the sends a cache could answer depend on what each caller asked.
  const t0 = Date.parse("2026-11-29T01:00:00Z");
  const sends = (asked: (k: number) => Partial<Parameters<typeof llmRow>[0]>) =>
    trafficOf(
      Array.from({ length: 40 }, (_, p) => [0, 200, 900].map((dt, k) => llmRow({ route: "research-planner", promptHash: `q${p}`, tsMs: t0 + p * 1000 + dt * 1000, ...asked(k) })))
        .flat()
        .sort((a, b) => a.tsMs - b.tsMs),
    );
  const find = (t: ReturnType<typeof trafficOf>) => analyzeFindings(t, { prices, projectSlug: "demo" }).findings.find((f) => f.kind === "response_cache");

  it("finds nothing when every repeat comes from a caller that skips the cache read (no-cache)", () => {
    expect(find(sends((k) => (k === 0 ? {} : { responseCache: "bypass" })))).toBeUndefined();
    // The same sends from callers that take the cache: an opportunity.
    expect(find(sends(() => ({})))).toBeDefined();
  });

  it("finds nothing when the callers ask for a TTL of 0 (x-pitwall-cache-ttl: 0 turns the cache off for their calls)", () => {
    expect(find(sends(() => ({ requestedCacheTtlSec: 0 })))).toBeUndefined();
  });

  it("stores nothing for a no-store send, so the next send of that prompt is a miss that writes", () => {
    const f = find(sends((k) => (k === 0 ? { responseCache: "bypass", requestedCacheTtlSec: 0 } : {})))!;
    const curve = f.evidence.details.ttlCurve as { ttlSec: number; hitRate: number }[];
    // Only the third send (700 s after the second, the first write) can be a hit.
    expect(curve.find((p) => p.ttlSec === 300)!.hitRate).toBe(0);
    expect(f.evidence.details.recommendedTtlSec).toBe(900);
    expect(f.evidence.details.hitRateAtRecommended).toBeCloseTo(1 / 3, 9);
  });

  it("lets a no-cache send write: a later caller that takes the cache is answered from its entry", () => {
    // The second send skips the read but stores its answer; the third is 700 s after it.
    const f = find(sends((k) => (k === 1 ? { responseCache: "bypass" } : {})))!;
    const curve = f.evidence.details.ttlCurve as { ttlSec: number; hitRate: number }[];
    expect(curve.find((p) => p.ttlSec === 300)!.hitRate).toBe(0);
    expect(curve.find((p) => p.ttlSec === 900)!.hitRate).toBeCloseTo(1 / 3, 9);
  });
});

describe("analyzeFindingsInSteps", () => {
  const traffic = manifestTraffic(REFERENCE_MANIFEST, { seed: 7, requests: 1200 });

  it("answers exactly what analyzeFindings answers, reporting each kind as it starts", async () => {
    const seen: [string, number][] = [];
    const stepped = await analyzeFindingsInSteps(traffic, { prices, projectSlug: "demo", onProgress: (kind, f) => seen.push([kind, f]) });
    expect(stepped).toEqual(analyzeFindings(traffic, { prices, projectSlug: "demo" }));
    expect(seen.map(([k]) => k)).toEqual(["response_cache", "prompt_caching", "streaming", "sequential_tools", "context_growth", "model_right_sizing", "batch", "batch"]);
    expect(seen.map(([, f]) => f)).toEqual([0, 1 / 7, 2 / 7, 3 / 7, 4 / 7, 5 / 7, 6 / 7, 1]);
  });

  it("stops at its next yield once the signal aborts, analysing no further kind", async () => {
    const ctl = new AbortController();
    const seen: string[] = [];
    const run = analyzeFindingsInSteps(traffic, {
      prices,
      projectSlug: "demo",
      signal: ctl.signal,
      onProgress: (kind) => {
        seen.push(kind);
        if (kind === "streaming") ctl.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toEqual(["response_cache", "prompt_caching", "streaming"]);
  });
});
