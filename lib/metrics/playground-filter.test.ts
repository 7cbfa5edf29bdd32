import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { webRequest } from "../auth/testing/sessions";
import { webHandler } from "../http/web-handler";
import { llmEvent } from "../events/testing/llm-event";
import { projectWithKey } from "../auth/testing/project-with-key";
import { handleCacheStats } from "./http/cache";
import { handleEventList } from "./http/events";
import { handleSummary } from "./http/summary";
import { handleTimeseries } from "./http/timeseries";
import { ingestAndFlush } from "./testing/rollup-oracle";
import { excludedRoutes } from "./playground-filter";
import { chooseSet, withoutAbsentExclusions } from "./rollup-query";
import { SET_IDS } from "./rollup-sql";
import { flushRollups } from "./rollup-upkeep";
import { MINUTE } from "./time-range";

let handle: DbHandle;
let key: string;
let projectId: string;
const NOW = Date.now();
const minuteAgo = (m: number, sec = 0) => new Date(Math.floor(NOW / MINUTE) * MINUTE - m * MINUTE + sec * 1000).toISOString();

const routes = {
  summary: webHandler((req: Request) => handleSummary(handle.db, req)),
  timeseries: webHandler((req: Request) => handleTimeseries(handle.db, req)),
  cache: webHandler((req: Request) => handleCacheStats(handle.db, req)),
  list: webHandler((req: Request) => handleEventList(handle.db, req)),
};

async function call(route: keyof typeof routes, query: Record<string, string>) {
  const req = webRequest(`/api/v1/x?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${key}` } });
  const res = await routes[route](req, undefined);
  expect(res.status).toBe(200);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field below
  return (await res.json()) as any;
}

// Agents' calls on two routes, and playground calls (route `playground`) that are slower and dearer,
// so a total that counted them would show it in every figure.
const agents = [
  llmEvent({ id: "a1", timestamp: minuteAgo(20, 1), model: "claude-sonnet-4-5", route: "chat", latencyMs: 100, ttftMs: 40, costUsd: 0.01, responseCache: "miss" }),
  llmEvent({ id: "a2", timestamp: minuteAgo(20, 2), model: "claude-sonnet-4-5", route: "chat", latencyMs: 120, ttftMs: 50, costUsd: 0.01, responseCache: "hit" }),
  llmEvent({ id: "a3", timestamp: minuteAgo(5, 1), model: "claude-haiku-4-5", route: "search", latencyMs: 80, ttftMs: 30, costUsd: 0.002, responseCache: "miss" }),
];
const playground = [
  llmEvent({ id: "p1", timestamp: minuteAgo(20, 3), model: "claude-opus-4-6", route: "playground", latencyMs: 9000, ttftMs: 4000, costUsd: 1, responseCache: "none", tags: { experiment: "e1", pane: "A" } }),
  llmEvent({ id: "p2", timestamp: minuteAgo(5, 2), model: "claude-sonnet-4-5", route: "playground", latencyMs: 8000, ttftMs: 3000, costUsd: 1, responseCache: "miss", tags: { experiment: "e1", pane: "B" } }),
];

beforeAll(async () => {
  handle = await createTestDb();
  await flushRollups(handle.db);
  const created = await projectWithKey(handle.db);
  key = created.key;
  projectId = created.project.id;
  await ingestAndFlush(handle.db, created.project.id, [...agents, ...playground]);
});
afterAll(async () => {
  await handle?.close();
});

describe("the playground filter rule", () => {
  it("leaves the playground route out unless included or a route filter decides", () => {
    expect(excludedRoutes({})).toEqual(["playground"]);
    expect(excludedRoutes({ playground: "exclude" })).toEqual(["playground"]);
    expect(excludedRoutes({ playground: "include" })).toEqual([]);
    expect(excludedRoutes({ route: "playground" })).toEqual([]);
  });

  it("reads a grouping set that keeps route when it must leave one out", () => {
    expect(chooseSet({ filters: {} })).toBe(SET_IDS.project);
    expect(chooseSet({ filters: {}, excludeRoutes: ["playground"] })).toBe(SET_IDS.route);
    expect(chooseSet({ filters: {}, groupBy: "model", excludeRoutes: ["playground"] })).toBe(SET_IDS.all);
    expect(chooseSet({ filters: {}, groupBy: "route", excludeRoutes: ["playground"] })).toBe(SET_IDS.route);
  });
});

describe("the exclusion probe", () => {
  it("keeps the exclusion where the range holds playground calls, and drops it (smaller grouping set) where none are", async () => {
    const segments = [{ grainS: 60 as const, fromMs: NOW - 3_600_000, toMs: NOW + 60_000 }];
    const scope = { projectId, kind: "llm", filters: {}, excludeRoutes: ["playground"], segments, groupBy: "model" as const };
    expect((await withoutAbsentExclusions(handle.db, scope)).excludeRoutes).toEqual(["playground"]);
    const other = await projectWithKey(handle.db);
    await ingestAndFlush(handle.db, other.project.id, [llmEvent({ timestamp: minuteAgo(3), route: "chat" })]);
    const pruned = await withoutAbsentExclusions(handle.db, { ...scope, projectId: other.project.id });
    expect(pruned.excludeRoutes).toEqual([]);
    expect(chooseSet(pruned)).toBe(SET_IDS.model);
  });
});

describe("dashboards leave playground calls out by default", () => {
  it("summary: default out, playground=include counts them, route=playground shows only them", async () => {
    const out = await call("summary", { range: "1h" });
    expect(out.requests).toBe(3);
    expect(out.costNanoUsd).toBe("22000000");
    expect(out.latencyMs.p99).toBeLessThan(200);
    expect(out.byModel.map((m: { model: string }) => m.model).sort()).toEqual(["claude-haiku-4-5", "claude-sonnet-4-5"]);

    const explicit = await call("summary", { range: "1h", playground: "exclude" });
    expect(explicit.requests).toBe(3);

    const all = await call("summary", { range: "1h", playground: "include" });
    expect(all.requests).toBe(5);
    expect(all.costNanoUsd).toBe("2022000000");
    expect(all.latencyMs.p99).toBeGreaterThan(7000);
    expect(all.byModel.map((m: { model: string }) => m.model)).toContain("claude-opus-4-6");

    const only = await call("summary", { range: "1h", route: "playground" });
    expect(only.requests).toBe(2);
  });

  it("timeseries: the default series leaves them out, the toggle puts them back, per route too", async () => {
    const sum = (ts: { series: { points: { values: { requests: number } }[] }[] }) => ts.series.flatMap((s) => s.points).reduce((n, p) => n + p.values.requests, 0);
    expect(sum(await call("timeseries", { range: "1h", metric: "requests" }))).toBe(3);
    expect(sum(await call("timeseries", { range: "1h", metric: "requests", playground: "include" }))).toBe(5);
    const byRoute = await call("timeseries", { range: "1h", metric: "requests", groupBy: "route" });
    expect(byRoute.series.map((s: { key: string }) => s.key).sort()).toEqual(["chat", "search"]);
    const byRouteAll = await call("timeseries", { range: "1h", metric: "requests", groupBy: "route", playground: "include" });
    expect(byRouteAll.series.map((s: { key: string }) => s.key)).toContain("playground");
  });

  it("cache page: routes and lookups without the playground unless included", async () => {
    const out = await call("cache", { range: "1h" });
    expect(out.responseCache.byRoute.map((r: { route: string }) => r.route).sort()).toEqual(["chat", "search"]);
    const all = await call("cache", { range: "1h", playground: "include" });
    expect(all.responseCache.byRoute.map((r: { route: string }) => r.route)).toContain("playground");
  });

  it("events list: the same rule", async () => {
    const ids = async (q: Record<string, string>) => ((await call("list", { range: "1h", ...q })).events as { id: string }[]).map((e) => e.id).sort();
    expect(await ids({})).toEqual(["a1", "a2", "a3"]);
    expect(await ids({ playground: "include" })).toEqual(["a1", "a2", "a3", "p1", "p2"]);
    expect(await ids({ route: "playground" })).toEqual(["p1", "p2"]);
  });
});
