import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { rowsOf } from "../../db/rows";
import { analyzeFindingsInSteps } from "../../lib/advisor/findings/analyze-findings";
import type { AnalysisHelper } from "../../lib/advisor/helper/analysis-helper";
import { runReplay } from "../../lib/advisor/replay/run-replay";
import { TrafficCache } from "../../lib/advisor/traffic-cache";
import { LATE_ARRIVAL_MS } from "../../lib/advisor/traffic-extend";
import { loadTraffic, windowStamp } from "../../lib/advisor/traffic-load";
import { keepSegments } from "../../lib/advisor/segment-keeper";
import { loadTrafficWithSegments } from "../../lib/advisor/traffic-segments-load";
import { CachePolicy } from "../../lib/policies/cache-policy-schema";
import { RoutingPolicy } from "../../lib/policies/routing-policy-schema";
import { getPriceBook } from "../../lib/pricing/price-queries";

/** The window the 1M synthetic events fill (scripts/bench/advisor-events.ts): the 7 days before 1 Dec 2026. */
export const MILLION_TO_MS = Date.parse("2026-12-01T00:00:00Z");
export const MILLION_FROM_MS = MILLION_TO_MS - 7 * 86_400_000;

/**
 * One timed 1M-event analysis, as the issue counts it and the page runs it: loadTraffic, the
 * findings (analyzeFindingsInSteps, as the findings endpoint), and one runReplay (with its
 * backtest) of a candidate turning on prompt caching and a 10-minute response cache; with the
 * server's analysis helper thread when given. Wall time per stage, and this process's CPU per
 * stage (all its threads; Postgres's COPY output is another process's): on a shared machine the
 * wall time swings with the others' load.
 */
export async function timeMillionAnalysis(db: Db, project: { id: string; slug: string }, load: typeof loadTraffic = loadTraffic, helper?: AnalysisHelper) {
  const prices = await getPriceBook(db, project.id);
  const live = { routing: RoutingPolicy.parse({}), cache: CachePolicy.parse({}) };
  const candidate = { routing: RoutingPolicy.parse({ default: { promptCaching: { enabled: true } } }), cache: CachePolicy.parse({ default: { ttlSec: 600 } }) };
  const cpuMs = (from: NodeJS.CpuUsage) => {
    const c = process.cpuUsage(from);
    return (c.user + c.system) / 1000;
  };
  const t0 = performance.now();
  let c = process.cpuUsage();
  const traffic = await load(db, { projectId: project.id, from: new Date(MILLION_FROM_MS), to: new Date(MILLION_TO_MS + 1) });
  const t1 = performance.now();
  const loadCpu = cpuMs(c);
  c = process.cpuUsage();
  const withHelper = helper ? { helper } : {};
  const found = await analyzeFindingsInSteps(traffic, { prices, projectSlug: project.slug, ...withHelper });
  const t2 = performance.now();
  const findingsCpu = cpuMs(c);
  c = process.cpuUsage();
  const answer = await runReplay({ traffic, live, candidate, prices, ...withHelper });
  const t3 = performance.now();
  const replayCpu = cpuMs(c);
  return {
    events: traffic.llm.length + traffic.tools.length,
    found,
    answer,
    loadMs: t1 - t0,
    findingsMs: t2 - t1,
    replayMs: t3 - t2,
    totalMs: t3 - t0,
    cpuMs: { load: loadCpu, findings: findingsCpu, replay: replayCpu, total: loadCpu + findingsCpu + replayCpu },
  };
}

/**
 * The advisor's segment keeper (segment-keeper.ts) over the 1M window, as its pass at 00:16 on
 * 1 Dec would run: the first pass loads each of the 7 days from the events and stores it; a
 * second finds nothing new. Then a cold load reads the days back, as another process, or this
 * one after a restart, would, and is checked against the events (row count and stamp).
 */
export async function timeKeeperPasses(db: Db, project: { id: string }) {
  const nowMs = MILLION_TO_MS + LATE_ARRIVAL_MS + 60_000;
  const first = await keepSegments(db, { days: 8, nowMs, projectIds: [project.id] });
  const second = await keepSegments(db, { days: 8, nowMs, projectIds: [project.id] });
  const params = { projectId: project.id, from: new Date(MILLION_FROM_MS), to: new Date(MILLION_TO_MS + 1) };
  const stats = { storedHours: 0 };
  const back = await loadTrafficWithSegments(db, { ...params, stats });
  const events = await windowStamp(db, params);
  if (JSON.stringify(back.stamp) !== JSON.stringify(events)) throw new Error("the stored days do not read as the events do");
  const bytes = rowsOf<{ n: number }>(await db.execute(sql`select coalesce(sum(octet_length(data)), 0)::float8 as n from advisor_traffic_segments where project_id = ${project.id}::uuid`))[0]!.n;
  return { first, second, storedHours: stats.storedHours, bytes: Number(bytes) };
}

/**
 * The advisor page's next call on the same window (the plan or a replay after the findings): the
 * routes load through a TrafficCache, which reuses the window while its stamp reads the same.
 * Times a cold load through a fresh cache, then the same window asked for again.
 */
export async function timeReusedWindow(db: Db, project: { id: string }) {
  const cache = new TrafficCache({ load: loadTraffic });
  const params = { projectId: project.id, from: new Date(MILLION_FROM_MS), to: new Date(MILLION_TO_MS + 1) };
  const t0 = performance.now();
  const cold = await cache.get(db, params);
  const t1 = performance.now();
  const again = await cache.get(db, params);
  const t2 = performance.now();
  if (again !== cold) throw new Error("the unchanged window was loaded again");
  cache.clear();
  return { coldMs: t1 - t0, reusedMs: t2 - t1 };
}

/**
 * The advisor page's Refresh an hour later: the window is "the last 7 days up to now" again, an
 * hour on, with an hour's new events and some late ones in the earlier window's last minutes.
 * Through a TrafficCache holding the earlier window, only its last 15 minutes and the new hour are
 * loaded and joined to the rows kept (traffic-extend.ts); then the findings and one replay, as
 * timeMillionAnalysis counts them. The cold load of the earlier window is timed too.
 */
export async function timeMovedWindow(db: Db, project: { id: string; slug: string }, newEvents: number, lateEvents: number, helper?: AnalysisHelper) {
  const { fillAdvisorEvents } = await import("./advisor-events");
  const prices = await getPriceBook(db, project.id);
  const live = { routing: RoutingPolicy.parse({}), cache: CachePolicy.parse({}) };
  const candidate = { routing: RoutingPolicy.parse({ default: { promptCaching: { enabled: true } } }), cache: CachePolicy.parse({ default: { ttlSec: 600 } }) };
  const cache = new TrafficCache({ load: loadTraffic });
  const HOUR = 3_600_000;
  const t0 = performance.now();
  await cache.get(db, { projectId: project.id, from: new Date(MILLION_FROM_MS), to: new Date(MILLION_TO_MS + 1) });
  const coldMs = performance.now() - t0;
  // The new hour, and calls in flight at the first load stored since with a time in its last minutes (they are reloaded, not trusted).
  await fillAdvisorEvents(db, project.id, newEvents, MILLION_TO_MS + 1, MILLION_TO_MS + HOUR, { idPrefix: "bench-next-hour-", offset: 10_000_000 });
  await fillAdvisorEvents(db, project.id, lateEvents, MILLION_TO_MS - 10 * 60_000, MILLION_TO_MS, { idPrefix: "bench-late-", offset: 20_000_000 });
  const t1 = performance.now();
  const traffic = await cache.get(db, { projectId: project.id, from: new Date(MILLION_FROM_MS + HOUR), to: new Date(MILLION_TO_MS + HOUR) });
  const t2 = performance.now();
  if (cache.extended !== 1) throw new Error("the moved window was loaded whole");
  const withHelper = helper ? { helper } : {};
  const found = await analyzeFindingsInSteps(traffic, { prices, projectSlug: project.slug, ...withHelper });
  const t3 = performance.now();
  const answer = await runReplay({ traffic, live, candidate, prices, ...withHelper });
  const t4 = performance.now();
  // Untimed: the moved window's stamp is the one the database reads for it (the same rows, cost and latest arrival).
  const stamp = await windowStamp(db, { projectId: project.id, from: new Date(MILLION_FROM_MS + HOUR), to: new Date(MILLION_TO_MS + HOUR) });
  if (JSON.stringify(stamp) !== JSON.stringify(traffic.stamp)) throw new Error(`the moved window's stamp ${JSON.stringify(traffic.stamp)} is not the database's ${JSON.stringify(stamp)}`);
  cache.clear();
  return { coldMs, events: traffic.llm.length + traffic.tools.length, found, answer, movedMs: t2 - t1, findingsMs: t3 - t2, replayMs: t4 - t3, totalMs: t4 - t1 };
}
