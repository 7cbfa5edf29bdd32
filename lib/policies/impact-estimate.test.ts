import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { signedInUser } from "../auth/testing/sessions";
import { webHandler } from "../http/web-handler";
import { ingestBatch } from "../ingestion/ingest-batch";
import { costNanoUsd, PriceBook } from "../pricing/compute-cost";
import { seedPriceRows } from "../pricing/seed-prices";
import { llmEvent } from "../events/testing/llm-event";
import { projectWithKey } from "../auth/testing/project-with-key";
import { CachePolicy } from "./cache-policy-schema";
import { postPreview } from "./http/preview-handler";
import { estimateImpact, type ImpactEvent } from "./impact-estimate";
import { loadPreviewEvents } from "./impact-queries";
import { saveVersion } from "./policy-queries";
import { RoutingPolicy } from "./routing-policy-schema";

const prices = new PriceBook(seedPriceRows());
const ROUTES = ["support", "faq", "code", null];
const MODELS = ["claude-sonnet-4-5", "claude-opus-4-5", "claude-haiku-4-5", "claude-new-unpriced"];

function randomEvents(n: number, seed = 1): ImpactEvent[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  return Array.from({ length: n }, () => {
    const model = pick(MODELS);
    const input = Math.floor(rand() * 6000);
    return {
      ts: new Date("2026-06-01T00:00:00Z"),
      route: pick(ROUTES),
      agent: pick(["planner-1", "bot", null]),
      tags: (rand() < 0.5 ? { team: pick(["a", "b"]) } : {}) as Record<string, string>,
      requestedModel: model,
      model,
      userId: rand() < 0.5 ? "u1" : null,
      inputTokens: input,
      outputTokens: Math.floor(rand() * 800),
      cacheReadTokens: rand() < 0.2 ? 2000 : 0,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
      systemTokens: rand() < 0.5 ? 4500 : null,
      messageCount: 1 + Math.floor(rand() * 6),
      toolCount: rand() < 0.3 ? 2 : 0,
      requestedCacheTtlSec: null,
      costNanoUsd: BigInt(Math.floor(rand() * 1e7)),
    };
  });
}

const routingDraft = RoutingPolicy.parse({
  rules: [
    { id: "support-fast", match: { route: "support", messageCount: { max: 2 } }, action: { model: "claude-haiku-4-5", maxTokensCap: 300 } },
    { id: "canary", match: { agent: "planner-*" }, action: { split: { arms: [{ model: "claude-sonnet-4-5", weight: 90 }, { model: "claude-opus-4-5", weight: 10 }] } } },
    { id: "long", match: { inputTokens: { min: 3000 } }, action: { promptCaching: { enabled: true, ttl: "1h" } } },
  ],
});
const routingLive = RoutingPolicy.parse({ rules: [{ id: "support-fast", match: { route: "support" }, action: { model: "claude-haiku-4-5" } }] });

/** The obvious per-event computation, written independently of the estimator's accumulators. */
function bruteForceRouting(events: ImpactEvent[]) {
  const out = new Map<string, { requests: number; live: number; estimatedNano: number; actualNano: bigint; mix: Map<string, number> }>();
  const row = (id: string) => out.get(id) ?? out.set(id, { requests: 0, live: 0, estimatedNano: 0, actualNano: 0n, mix: new Map() }).get(id)!;
  for (const e of events) {
    const prompt = e.inputTokens + e.cacheReadTokens + e.cacheWrite5mTokens + e.cacheWrite1hTokens;
    const hits = (r: (typeof routingDraft.rules)[number]) =>
      (r.match.route === undefined || e.route === r.match.route) &&
      (r.match.agent === undefined || (e.agent ?? "").startsWith("planner-")) &&
      (r.match.messageCount?.max === undefined || (e.messageCount ?? 1) <= r.match.messageCount.max) &&
      (r.match.inputTokens?.min === undefined || prompt >= r.match.inputTokens.min);
    const rule = routingDraft.rules.find(hits);
    const liveRule = routingLive.rules.find((r) => e.route === r.match.route);
    const id = rule?.id ?? "(default)";
    const r = row(id);
    r.requests++;
    r.actualNano += e.costNanoUsd;
    row(liveRule?.id ?? "(default)").live++;
    const action = rule?.action ?? {};
    const arms = action.split ? action.split.arms.map((a) => [a.model, a.weight / 100] as const) : [[action.model ?? e.requestedModel!, 1] as const];
    for (const [model, share] of arms) {
      r.mix.set(model, (r.mix.get(model) ?? 0) + share);
      let input = e.inputTokens;
      let read = e.cacheReadTokens;
      const sys = e.systemTokens ?? 0;
      if (action.promptCaching?.enabled && read === 0 && sys >= 4096 && sys <= input) {
        input -= sys;
        read += sys;
      }
      const usage = { inputTokens: input, outputTokens: Math.min(e.outputTokens, action.maxTokensCap ?? Infinity), cacheReadTokens: read, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 };
      const price = prices.find(model, e.ts, input + read);
      r.estimatedNano += (price ? Number(costNanoUsd(price, usage)) : Number(e.costNanoUsd)) * share;
    }
  }
  return out;
}

describe("estimateImpact", () => {
  it("agrees with a brute-force recomputation over the same events (routing)", () => {
    const events = randomEvents(3000);
    const result = estimateImpact("routing", routingDraft, routingLive, events, prices);
    const brute = bruteForceRouting(events);
    for (const r of result.rules) {
      const b = brute.get(r.ruleId ?? "(default)") ?? { requests: 0, live: 0, estimatedNano: 0, actualNano: 0n, mix: new Map() };
      expect(r.requests, r.ruleId ?? "default").toBe(b.requests);
      expect(r.liveRequests, r.ruleId ?? "default").toBe(b.live);
      expect(r.actualCostUsd).toBeCloseTo(Number(b.actualNano) / 1e9, 6);
      expect(r.estimatedCostUsd).toBeCloseTo(b.estimatedNano / 1e9, 6);
      for (const [model, n] of b.mix) expect(r.modelMix[model]).toBeCloseTo(n, 2);
    }
    expect(result.total.requests).toBe(3000);
    expect(result.rules.reduce((s, r) => s + r.requests, 0)).toBe(3000);
    // The canary splits its requests 90/10 by expected share.
    const canary = result.rules.find((r) => r.ruleId === "canary")!;
    expect(canary.modelMix["claude-opus-4-5"]! / canary.requests).toBeCloseTo(0.1, 5);
  });

  it("prices prompt caching in: a long system prompt moves to cache-read rates", () => {
    const e = { ...randomEvents(1)[0]!, route: "code", agent: null, inputTokens: 6000, cacheReadTokens: 0, systemTokens: 5000, requestedModel: "claude-sonnet-4-5", model: "claude-sonnet-4-5" };
    const withCaching = estimateImpact("routing", routingDraft, routingLive, [e], prices).rules.find((r) => r.ruleId === "long")!;
    const without = estimateImpact("routing", RoutingPolicy.parse({}), routingLive, [e], prices).rules.at(-1)!;
    expect(withCaching.requests).toBe(1);
    expect(withCaching.estimatedCostUsd).toBeLessThan(without.estimatedCostUsd);
  });

  it("counts the share of requests under each TTL for cache rules, user scope off without a user", () => {
    const events = randomEvents(2000, 5);
    const draft = CachePolicy.parse({ rules: [{ id: "faq", match: { route: "faq" }, ttlSec: 3600 }, { id: "mine", match: { tags: { team: "a" } }, ttlSec: 600, scope: "user" }], default: { ttlSec: 0 } });
    const result = estimateImpact("cache", draft, CachePolicy.parse({}), events, prices);
    const faqCount = events.filter((e) => e.route === "faq").length;
    const mine = events.filter((e) => e.route !== "faq" && e.tags.team === "a");
    expect(result.rules[0]!.ttlMix).toEqual({ "3600": faqCount });
    expect(result.rules[1]!.ttlMix).toEqual(Object.fromEntries([["0", mine.filter((e) => !e.userId).length], ["600", mine.filter((e) => e.userId).length]].filter(([, n]) => n !== 0)));
    expect(Object.values(result.total.ttlMix).reduce((s, n) => s + n, 0)).toBe(2000);
  });

  it("counts a caller's x-pitwall-cache-ttl as the gateway resolves it: lowering only, unless the draft lets callers choose", () => {
    const base = { ...randomEvents(1)[0]!, route: "support", tags: {}, userId: null };
    const events: ImpactEvent[] = [
      { ...base, requestedCacheTtlSec: 3600 },
      { ...base, requestedCacheTtlSec: 60 },
      { ...base, requestedCacheTtlSec: 0 },
      { ...base, requestedCacheTtlSec: null },
    ];
    const lower = CachePolicy.parse({ default: { ttlSec: 300 } });
    expect(estimateImpact("cache", lower, lower, events, prices).total.ttlMix).toEqual({ "300": 2, "60": 1, "0": 1 });
    const any = CachePolicy.parse({ default: { ttlSec: 0 }, clientTtl: "any" });
    expect(estimateImpact("cache", any, any, events, prices).total.ttlMix).toEqual({ "3600": 1, "60": 1, "0": 2 });
  });

  it("scales every figure when the events are a sample", () => {
    const events = randomEvents(100);
    const one = estimateImpact("routing", routingDraft, routingLive, events, prices);
    const scaled = estimateImpact("routing", routingDraft, routingLive, events, prices, 10);
    expect(scaled.total.requests).toBe(one.total.requests * 10);
    expect(scaled.total.estimatedCostUsd).toBeCloseTo(one.total.estimatedCostUsd * 10, 5);
  });
});

describe("preview API over recorded events", () => {
  let handle: DbHandle;
  let slug: string;
  let projectId: string;
  let cookie: string;
  beforeAll(async () => {
    handle = await createTestDb();
    ({ project: { slug, id: projectId } } = await projectWithKey(handle.db));
    cookie = (await signedInUser(handle.db, { projectId, role: "viewer" })).cookie;
  });
  afterAll(async () => handle?.close());

  const preview = async (body: unknown) => {
    const req = new Request(`http://localhost/api/v1/policies/routing/preview?project=${slug}`, { method: "POST", headers: { cookie, origin: "http://localhost", "content-type": "application/json" }, body: JSON.stringify(body) });
    const res = await webHandler<{ params: Promise<{ kind: string }> }>((r, c) => postPreview(handle.db, r, c))(req, { params: Promise.resolve({ kind: "routing" }) });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, json: (await res.json()) as any };
  };

  it("runs the draft over the last 7 days, next to the live version, from all events, and matches the brute force", async () => {
    const now = Date.now();
    const batch = Array.from({ length: 40 }, (_, i) =>
      llmEvent({ timestamp: new Date(now - (i + 1) * 3_600_000).toISOString(), route: i % 2 ? "support" : "code", model: "claude-sonnet-4-5", requestedModel: "claude-sonnet-4-5", inputTokens: 1000 + i, outputTokens: 200, messageCount: 1 + (i % 3) }),
    );
    // One call outside the window.
    batch.push(llmEvent({ timestamp: new Date(now - 8 * 86_400_000).toISOString(), route: "support" }));
    const stored = await ingestBatch(handle.db, projectId, batch);
    expect(stored.accepted).toBe(41);
    await saveVersion(handle.db, { projectId, kind: "routing", document: routingLive });

    const res = await preview({ document: routingDraft });
    expect(res.status).toBe(200);
    expect(res.json.basis).toEqual({ totalEvents: 40, sampled: false, sampleSize: 40 });
    const loaded = await loadPreviewEvents(handle.db, { projectId, from: new Date(res.json.window.from), to: new Date(res.json.window.to) });
    const brute = bruteForceRouting(loaded.events);
    const fast = res.json.rules.find((r: { ruleId: string }) => r.ruleId === "support-fast");
    expect(fast.requests).toBe(brute.get("support-fast")!.requests);
    expect(fast.liveRequests).toBe(20);
    expect(fast.modelMix).toEqual({ "claude-haiku-4-5": fast.requests });
    expect(fast.estimatedCostUsd).toBeCloseTo(brute.get("support-fast")!.estimatedNano / 1e9, 6);
    expect(fast.estimatedCostUsd).toBeLessThan(fast.actualCostUsd);
    expect(res.json.total.requests).toBe(40);
  });

  it("samples above the limit and says how large the sample is", async () => {
    const loaded = await loadPreviewEvents(handle.db, { projectId, from: new Date(Date.now() - 7 * 86_400_000), to: new Date(), sampleSize: 10 });
    expect(loaded.totalEvents).toBe(40);
    expect(loaded.sampled).toBe(true);
    expect(loaded.events.length).toBeLessThanOrEqual(10);
  });

  it("answers 400 for an invalid draft or window, never a 500", async () => {
    expect((await preview({ document: { rules: [{ id: "x", action: { split: { arms: [{ model: "a", weight: 1 }] } } }] } })).status).toBe(400);
    expect((await preview({})).status).toBe(400);
    expect((await preview({ document: {}, from: "2026-06-02T00:00:00Z", to: "2026-06-01T00:00:00Z" })).status).toBe(400);
  });
});

describe("loadPreviewEvents page sampling", () => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await createTestDb();
  });
  afterAll(async () => handle?.close());

  it("reads a page sample (TABLESAMPLE) when the sample is a small share of the window", async () => {
    const { project } = await projectWithKey(handle.db);
    const now = Date.now();
    const events = Array.from({ length: 600 }, (_, i) => llmEvent({ timestamp: new Date(now - (i + 1) * 60_000).toISOString() }));
    expect((await ingestBatch(handle.db, project.id, events)).accepted).toBe(600);
    const loaded = await loadPreviewEvents(handle.db, { projectId: project.id, from: new Date(now - 86_400_000), to: new Date(now), sampleSize: 60 });
    expect(loaded).toMatchObject({ totalEvents: 600, sampled: true });
    expect(loaded.events.length).toBeLessThanOrEqual(60);
  });
});
