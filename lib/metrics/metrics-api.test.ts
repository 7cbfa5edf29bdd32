import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { signedInUser, webRequest } from "../auth/testing/sessions";
import { webHandler } from "../http/web-handler";
import { ingestBatch } from "../ingestion/ingest-batch";
import { upsertPrice, invalidatePriceBook } from "../pricing/price-queries";
import { llmEvent } from "../events/testing/llm-event";
import { projectWithKey } from "../auth/testing/project-with-key";
import { handleCacheStats } from "./http/cache";
import { handleEventDetail, handleEventExport, handleEventList } from "./http/events";
import { handleRecomputeStatus, handleStartRecompute } from "./http/recompute";
import { handleSummary } from "./http/summary";
import { handleTimeseries } from "./http/timeseries";
import { eventArb, exactSums, ingestAndFlush } from "./testing/rollup-oracle";
import { flushRollups, startRollupFlusher } from "./rollup-upkeep";
import { MINUTE, resolveRange } from "./time-range";

let handle: DbHandle;
let project: { id: string; slug: string };
let key: string;
const NOW = Date.now();
const minuteAgo = (m: number, sec = 0) => new Date(Math.floor(NOW / MINUTE) * MINUTE - m * MINUTE + sec * 1000).toISOString();

const routes = {
  summary: webHandler((req: Request) => handleSummary(handle.db, req)),
  timeseries: webHandler((req: Request) => handleTimeseries(handle.db, req)),
  cache: webHandler((req: Request) => handleCacheStats(handle.db, req)),
  list: webHandler((req: Request) => handleEventList(handle.db, req)),
  detail: webHandler((req: Request) => handleEventDetail(handle.db, req)),
  export: webHandler((req: Request) => handleEventExport(handle.db, req)),
  recompute: webHandler((req: Request) => handleStartRecompute(handle.db, req)),
  recomputeStatus: webHandler((req: Request) => handleRecomputeStatus(handle.db, req)),
};

async function call(route: keyof typeof routes, query: Record<string, string | undefined> = {}, opts: { key?: string | null; cookie?: string; method?: string; body?: unknown } = {}) {
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined) as [string, string][]);
  const k = opts.key === undefined ? key : opts.key;
  const req = webRequest(`/api/v1/x?${qs}`, { method: opts.method, body: opts.body, cookie: opts.cookie, headers: k ? { authorization: `Bearer ${k}` } : {} });
  const res = await routes[route](req, undefined);
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field below
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* csv */
  }
  return { status: res.status, json, text, headers: res.headers };
}

// A fixed dataset: three models, two routes, errors, cache hits and misses, in two separate minutes.
const dataset = [
  llmEvent({ id: "d1", timestamp: minuteAgo(50, 5), model: "claude-sonnet-4-5", route: "chat", agent: "planner", latencyMs: 1000, ttftMs: 300, responseCache: "miss", costUsd: 0.01 }),
  llmEvent({ id: "d2", timestamp: minuteAgo(50, 9), model: "claude-sonnet-4-5", route: "chat", agent: "planner", latencyMs: 20, ttftMs: 20, responseCache: "hit", costUsd: 0 }),
  llmEvent({ id: "d3", timestamp: minuteAgo(50, 30), model: "claude-haiku-4-5", route: "search", latencyMs: 400, status: "error", costUsd: 0.002 }),
  llmEvent({ id: "d4", timestamp: minuteAgo(10, 1), model: "claude-opus-4-6", route: "=cmd()", latencyMs: 3000, ttftMs: 900, costUsd: 0.5 }),
  llmEvent({ id: "d5", timestamp: minuteAgo(10, 2), model: "claude-sonnet-4-5", route: "chat", latencyMs: 1500, responseCache: "miss", costUsd: 0.03, cacheReadTokens: 900, inputTokens: 100 }),
  llmEvent({ id: "d6", timestamp: minuteAgo(10, 3), model: "claude-sonnet-4-5", route: 'a "quoted", route', latencyMs: 800, responseCache: "bypass" }),
  { id: "t1", kind: "tool", timestamp: minuteAgo(10, 4), agent: "planner", latencyMs: 5 },
];

beforeAll(async () => {
  handle = await createTestDb();
  await flushRollups(handle.db);
  const created = await projectWithKey(handle.db);
  project = created.project;
  key = created.key;
  await ingestAndFlush(handle.db, project.id, dataset);
});
afterAll(async () => {
  await handle?.close();
});

describe("GET /api/v1/metrics/summary", () => {
  it("answers the issue's shape with exact money", async () => {
    const { status, json } = await call("summary", { range: "1h" });
    expect(status).toBe(200);
    expect(json).toMatchObject({
      requests: 6,
      errors: 1,
      errorRate: 1 / 6,
      // d6 has no client cost: 100 input x $3 + 50 output x $15 per MTok = $0.00105.
      costUsd: 0.54305,
      costUsdExact: "0.54305",
      costNanoUsd: "543050000",
      responseCache: { hits: 1, misses: 2, bypass: 1 },
      responseCacheHitRate: 1 / 3,
    });
    expect(Object.keys(json.latencyMs)).toEqual(["p50", "p90", "p95", "p99"]);
    expect(json.promptCacheHitRate).toBeCloseTo(900 / (900 + 5 * 100 + 100), 12);
    expect(json.byModel.map((m: { model: string }) => m.model)).toEqual(["claude-opus-4-6", "claude-sonnet-4-5", "claude-haiku-4-5"]);
    expect(json.byModel[0]).toMatchObject({ requests: 1, costUsdExact: "0.5", costPerRequestUsd: 0.5 });
    expect(json.byModel[0].shareOfSpend).toBeCloseTo(0.5 / 0.54305, 6);
  });

  it("applies model, route, agent, status and kind filters exactly", async () => {
    const range = resolveRange({ range: "1h" });
    for (const [filters, kind] of [
      [{ model: "claude-sonnet-4-5" }, "llm"],
      [{ route: "chat" }, "llm"],
      [{ agent: "planner" }, "llm"],
      [{ status: "error" }, "llm"],
      [{ model: "claude-sonnet-4-5", route: "chat" }, "llm"],
      [{}, "tool"],
    ] as const) {
      const { status, json } = await call("summary", { range: "1h", kind, ...filters });
      expect(status).toBe(200);
      const exact = await exactSums(handle.db, project.id, range, filters, kind);
      expect({ requests: json.requests, errors: json.errors, cost: json.costNanoUsd, input: json.inputTokens }).toEqual({
        requests: exact.requests,
        errors: exact.errors,
        cost: exact.costNanoUsd,
        input: exact.inputTokens,
      });
    }
  });

  it("answers an empty range with zeros for counts and null for rates and percentiles", async () => {
    const { status, json } = await call("summary", { from: "2026-01-01T00:00:00Z", to: "2026-01-01T06:00:00Z" });
    expect(status).toBe(200);
    expect(json).toMatchObject({
      requests: 0,
      errors: 0,
      errorRate: null,
      latencyMs: { p50: null, p90: null, p95: null, p99: null },
      ttftMs: { p50: null, p90: null, p95: null, p99: null },
      outputTokensPerSec: { p50: null },
      costUsd: 0,
      costNanoUsd: "0",
      responseCacheHitRate: null,
      promptCacheHitRate: null,
      byModel: [],
    });
  });

  it("refuses bad input with a clear 400", async () => {
    expect((await call("summary", { from: "yesterday" })).json.error.message).toMatch(/from: must be ISO-8601/);
    expect((await call("summary", { from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z" })).json.error.message).toMatch(/before/);
    expect((await call("summary", { bogus: "1" })).json.error.message).toMatch(/unknown parameter bogus/);
    expect((await call("summary", { status: "weird" })).status).toBe(400);
  });

  it("needs a key with metrics:read or a signed-in member, and shows only that project", async () => {
    expect((await call("summary", {}, { key: null })).status).toBe(401);
    const ingestOnly = await projectWithKey(handle.db, ["ingest"]);
    expect((await call("summary", {}, { key: ingestOnly.key })).status).toBe(403);
    // Another project's key sees its own project only, and naming this one is refused.
    const other = await projectWithKey(handle.db);
    expect((await call("summary", { range: "1h" }, { key: other.key })).json.requests).toBe(0);
    expect((await call("summary", { range: "1h", project: project.slug }, { key: other.key })).status).toBe(403);
    // A signed-in viewer names the project; a non-member gets a 404.
    const viewer = await signedInUser(handle.db, { projectId: project.id, role: "viewer" });
    expect((await call("summary", { range: "1h", project: project.slug }, { key: null, cookie: viewer.cookie })).json.requests).toBe(6);
    const stranger = await signedInUser(handle.db);
    expect((await call("summary", { range: "1h", project: project.slug }, { key: null, cookie: stranger.cookie })).status).toBe(404);
  });
});

describe("GET /api/v1/metrics/timeseries", () => {
  it("fills empty buckets with 0 for counts and null for percentiles", async () => {
    const counts = await call("timeseries", { range: "1h", metric: "requests" });
    expect(counts.status).toBe(200);
    expect(counts.json.bucket).toBe("1m");
    const points = counts.json.series[0].points as { t: string; values: { requests: number; errorRate: number | null } }[];
    expect(points.length).toBe(61);
    expect(points.reduce((s, p) => s + p.values.requests, 0)).toBe(6);
    expect(points.filter((p) => p.values.requests > 0).map((p) => p.t)).toEqual([minuteAgo(50), minuteAgo(10)].map((t) => new Date(t).toISOString()));
    expect(points.find((p) => p.values.requests === 0)!.values.errorRate).toBeNull();

    const latency = await call("timeseries", { range: "1h", metric: "latency" });
    const lp = latency.json.series[0].points as { values: { p95: number | null; samples: number } }[];
    expect(lp.filter((p) => p.values.p95 !== null)).toHaveLength(2);
    expect(lp.filter((p) => p.values.p95 === null).every((p) => p.values.samples === 0)).toBe(true);
  });

  it("groups by model with an honest N of M", async () => {
    const { json } = await call("timeseries", { range: "1h", metric: "cost", groupBy: "model", limit: "2" });
    expect(json.totalSeries).toBe(3);
    expect(json.series.map((s: { key: string }) => s.key)).toEqual(["claude-opus-4-6", "claude-sonnet-4-5"]);
    const sonnet = json.series[1].points.reduce((s: bigint, p: { values: { costNanoUsd: string } }) => s + BigInt(p.values.costNanoUsd), 0n);
    expect(sonnet).toBe(41_050_000n);
  });

  it("stacks tokens by kind and follows the model filter", async () => {
    const all = await call("timeseries", { range: "1h", metric: "tokens" });
    const input = all.json.series[0].points.reduce((s: number, p: { values: { input: number } }) => s + p.values.input, 0);
    expect(input).toBe((await exactSums(handle.db, project.id, resolveRange({ range: "1h" }))).inputTokens);
    const opus = await call("timeseries", { range: "1h", metric: "requests", model: "claude-opus-4-6" });
    expect(opus.json.series[0].points.reduce((s: number, p: { values: { requests: number } }) => s + p.values.requests, 0)).toBe(1);
  });

  it("refuses a bucket too fine for the range and an unknown metric", async () => {
    expect((await call("timeseries", { range: "30d", metric: "requests", bucket: "1m" })).json.error.message).toMatch(/1500/);
    expect((await call("timeseries", { metric: "vibes" })).json.error.message).toMatch(/metric is one of/);
  });
});

describe("GET /api/v1/metrics/cache", () => {
  it("reports response cache by route with money and time saved, and prompt cache savings", async () => {
    const { status, json } = await call("cache", { range: "1h" });
    expect(status).toBe(200);
    const chat = json.responseCache.byRoute.find((r: { route: string }) => r.route === "chat");
    // chat: 1 hit (cost 0, 20 ms) vs 2 misses averaging $0.02 and 1250 ms.
    expect(chat).toMatchObject({ hits: 1, misses: 2, bypass: 0, hitRate: 1 / 3, savedUsd: 0.02, savedNanoUsd: "20000000", savedMs: 1230 });
    const sonnet = json.promptCache.byModel.find((m: { model: string }) => m.model === "claude-sonnet-4-5");
    // 900 cache-read tokens at $3 - $0.30 per MTok saved.
    expect(sonnet).toMatchObject({ cacheReadTokens: 900, savingsNanoUsd: String(900 * (3000 - 300)) });
  });
});

describe("events list and export", () => {
  it("pages with a keyset cursor: every event once, newest first", async () => {
    const { project: p, key: k } = await projectWithKey(handle.db);
    const ts = minuteAgo(5);
    // Same timestamp for many events: ties are broken by id, never skipped or repeated.
    const events = Array.from({ length: 70 }, (_, i) => llmEvent({ id: `k-${String(i).padStart(3, "0")}`, timestamp: i < 40 ? ts : minuteAgo(8, i - 40) }));
    await ingestAndFlush(handle.db, p.id, events);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await call("list", { range: "1h", limit: "25", cursor }, { key: k });
      expect(res.status).toBe(200);
      seen.push(...res.json.events.map((e: { id: string }) => e.id));
      cursor = res.json.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(70);
    expect(seen.slice(0, 40)).toEqual(events.slice(0, 40).map((e) => e.id as string).sort().reverse());
    expect((await call("list", { range: "1h", cursor: "garbage" }, { key: k })).status).toBe(400);
  });

  it("filters the list and shows one event's detail, in this project only", async () => {
    const res = await call("list", { range: "1h", model: "claude-sonnet-4-5", route: "chat" });
    expect(res.json.events.map((e: { id: string }) => e.id)).toEqual(["d5", "d2", "d1"]);
    expect(res.json.events[0]).toMatchObject({ costUsdExact: "0.03", costNanoUsd: "30000000", responseCache: "miss" });
    const tools = await call("list", { range: "1h", kind: "tool" });
    expect(tools.json.events.map((e: { id: string }) => e.id)).toEqual(["t1"]);
    const detail = await call("detail", { id: "d4" });
    expect(detail.json).toMatchObject({ id: "d4", model: "claude-opus-4-6", route: "=cmd()", tags: {}, metadata: {} });
    const other = await projectWithKey(handle.db);
    expect((await call("detail", { id: "d4" }, { key: other.key })).status).toBe(404);
  });

  it("exports the filtered list as CSV, quoted and formula-safe, with exact costs", async () => {
    const res = await call("export", { range: "1h" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="pitwall-events-/);
    const lines = res.text.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^timestamp,id,kind,model,route/);
    expect(lines).toHaveLength(1 + 7);
    expect(lines.find((l) => l.includes(",d4,"))).toContain(",'=cmd(),");
    expect(lines.find((l) => l.includes(",d6,"))).toContain(',"a ""quoted"", route",');
    expect(lines.find((l) => l.includes(",d4,"))).toContain(",0.5,client");
    const filtered = await call("export", { range: "1h", status: "error" });
    expect(filtered.text.trimEnd().split("\r\n")).toHaveLength(2);
  });
});

describe("recompute stored costs after a price change", () => {
  it("reprices computed events with progress, and the rollups follow", async () => {
    const { project: p, key: k } = await projectWithKey(handle.db);
    const editor = await signedInUser(handle.db, { projectId: p.id, role: "editor" });
    const viewer = await signedInUser(handle.db, { projectId: p.id, role: "viewer" });
    const events = fc.sample(eventArb(NOW, 20), { numRuns: 150, seed: 5 });
    await ingestAndFlush(handle.db, p.id, events);
    const spend = async () => {
      let total = 0n;
      for (const kind of ["llm", "tool"]) total += BigInt((await call("summary", { range: "24h", kind }, { key: k })).json.costNanoUsd);
      return total;
    };
    const before = await spend();

    // Sonnet 4.5 doubles its output price, effective before every event.
    await upsertPrice(handle.db, p.id, {
      model: "claude-sonnet-4-5",
      effectiveFrom: new Date(NOW - 3 * 86_400_000).toISOString(),
      minPromptTokens: 0,
      inputPerMTok: 3,
      cacheWrite5mPerMTok: 3.75,
      cacheWrite1hPerMTok: 6,
      cacheReadPerMTok: 0.3,
      outputPerMTok: 30,
    });
    invalidatePriceBook(p.id);
    const body = { from: new Date(NOW - 86_400_000).toISOString(), to: new Date(NOW + MINUTE).toISOString() };
    expect((await call("recompute", { project: p.slug }, { key: null, cookie: viewer.cookie, method: "POST", body })).status).toBe(403);
    expect((await call("recompute", {}, { key: k, method: "POST", body })).status).toBe(403);
    const started = await call("recompute", { project: p.slug }, { key: null, cookie: editor.cookie, method: "POST", body });
    expect(started.status).toBe(202);
    expect(started.json.job).toMatchObject({ status: "running", processed: 0 });
    expect(started.json.job.total).toBeGreaterThan(0);

    let job = started.json.job;
    for (let i = 0; i < 100 && job.status === "running"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await call("recomputeStatus", { project: p.slug, id: job.id }, { key: null, cookie: editor.cookie })).json.job;
    }
    expect(job).toMatchObject({ status: "done", progress: 1 });
    expect(job.changed).toBeGreaterThan(0);
    await flushRollups(handle.db);

    const after = await call("summary", { range: "24h" }, { key: k });
    const exact = await exactSums(handle.db, p.id, resolveRange({ range: "24h" }));
    expect(after.json.costNanoUsd).toBe(exact.costNanoUsd);
    // Tool events that name a model are priced too: the job's delta covers both kinds.
    expect((await spend()) - before).toBe(BigInt(job.deltaNanoUsd));
    const list = await call("recomputeStatus", { project: p.slug }, { key: null, cookie: editor.cookie });
    expect(list.json.jobs[0].id).toBe(job.id);
  });

  it("refuses an inverted range", async () => {
    const editor = await signedInUser(handle.db, { projectId: project.id, role: "editor" });
    const res = await call("recompute", { project: project.slug }, { key: null, cookie: editor.cookie, method: "POST", body: { from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z" } });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/before/);
  });
});

describe("freshness", () => {
  it("shows an event in the summary within 2 s of its batch being acknowledged", async () => {
    const { project: p, key: k } = await projectWithKey(handle.db);
    const flusher = startRollupFlusher(() => handle.db, 1000);
    try {
      const r = await ingestBatch(handle.db, p.id, [llmEvent({ timestamp: new Date().toISOString() })]);
      const acked = performance.now();
      expect(r.accepted).toBe(1);
      let seenAfter = Infinity;
      while (performance.now() - acked < 3000) {
        if ((await call("summary", { range: "1h" }, { key: k })).json.requests === 1) {
          seenAfter = performance.now() - acked;
          break;
        }
        await new Promise((res) => setTimeout(res, 25));
      }
      expect(seenAfter).toBeLessThan(2000);
    } finally {
      await flusher.stop();
    }
  });
});
