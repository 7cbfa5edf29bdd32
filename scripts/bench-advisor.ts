/**
 * npm run bench:advisor [-- --requests 600 --scale 0.05 --events 1000000 --skip-1m | --only-1m]: the advisor's
 * acceptance figures on Postgres (DATABASE_URL).
 *  1. The reference workload through a real gateway (simulator upstream, response cache), and
 *     the backtest of the live policy against what was measured (target: p95 and cost within 5%).
 *  2. Each plan phase applied (its cumulative policies, and the workload's code options for code
 *     phases), the workload rerun, predicted against measured p95, TTFT p95 and cost per request
 *     (target within 10%), next to the reference case's -84% latency and -80% cost.
 *  3. 1M events analysed: loadTraffic, the findings and one replay (target <= 5 s), cold, then
 *     the same window again, then the page's Refresh an hour later (the window moved forward).
 *     With the analysis helper thread the server starts (lib/advisor/helper), and the cold runs
 *     from the stored days also on the main thread alone, in turn, as the baseline.
 * Load average printed next to the figures.
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { fmt, loadAverage } from "./bench/stats";

const { values: args } = parseArgs({
  options: { requests: { type: "string", default: "600" }, scale: { type: "string", default: "0.05" }, events: { type: "string", default: "1000000" }, seed: { type: "string", default: "7" }, "skip-1m": { type: "boolean", default: false }, "only-1m": { type: "boolean", default: false } },
});

const pct = (x: number | null | undefined) => (x === null || x === undefined ? "   n/a" : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`.padStart(7));
const ms = (x: number | null | undefined) => (x === null || x === undefined ? "n/a" : `${fmt(x, 0)} ms`).padStart(9);
const usd = (x: number | null | undefined) => (x === null || x === undefined ? "n/a" : `$${x.toFixed(5)}`).padStart(9);
const rel = (p: number | null | undefined, m: number | null | undefined) => (p == null || m == null || m === 0 ? null : (p - m) / m);

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) throw new Error("bench:advisor needs DATABASE_URL (Postgres)");
  const { createTestDb } = await import("../db/test-db");
  const { rerunPhases } = await import("../lib/advisor/testing/phase-rerun");
  const { REFERENCE_MANIFEST } = await import("../lib/demo/reference");
  const handle = await createTestDb();
  try {
    if (args["only-1m"]) return await millionEvents(handle, Number(args.events));
    const settings = { seed: Number(args.seed), requests: Number(args.requests), latencyScale: Number(args.scale), concurrency: 16, arrivalsPerSec: 8 };
    console.log(`bench:advisor · reference workload, ${settings.requests} requests, seed ${settings.seed}, latency scale ${settings.latencyScale} (ms figures are in scaled time) · ${loadAverage()}`);
    const t0 = performance.now();
    const { plan, checks, findings } = await rerunPhases(handle, settings, "engine");
    console.log("findings (lib/advisor/findings on the baseline run), measured rate against the manifest's planted rate:");
    for (const r of REFERENCE_MANIFEST.routes) {
      for (const kind of r.planted) {
        const f = findings.find((x) => x.kind === kind && x.route === r.route);
        console.log(`  ${r.route.padEnd(15)} ${kind.padEnd(19)} ${f ? `found, rate ${(f.evidence.rate * 100).toFixed(1)}%` : "NOT FOUND"}`);
      }
    }
    const extra = findings.filter((f) => !REFERENCE_MANIFEST.routes.some((r) => r.route === f.route && (r.planted as readonly string[]).includes(f.kind)));
    console.log(`  not planted but found: ${extra.length === 0 ? "none" : extra.map((f) => `${f.kind} on ${f.route}`).join(", ")}`);
    const b = plan.baseline;
    const e = plan.backtestError!;
    console.log(`\nbaseline measured: mean ${ms(b.latencyMeanMs)}, p95 ${ms(b.latencyP95Ms)}, TTFT p95 ${ms(b.ttftP95Ms)}, cost/request ${usd(b.costPerRequestUsd)} (${b.requests} calls)`);
    console.log(`backtest of the live policy: p95 error ${pct(e.latencyP95Ms)}, cost/request error ${pct(e.costPerRequestUsd)} (target within ±5%)`);
    console.log("\nphase (cumulative)    | p95 predicted / measured / gap  | TTFT p95 predicted / measured / gap | cost/request predicted / measured / gap | mean latency vs baseline | perceived p95 vs baseline | cost vs baseline");
    for (const c of checks) {
      const p = c.predicted;
      const m = c.measured;
      console.log(
        `${c.phase.padEnd(21)} | ${ms(p?.latencyP95Ms)} ${ms(m.latencyP95Ms)} ${pct(rel(p?.latencyP95Ms, m.latencyP95Ms))} | ${ms(p?.ttftP95Ms)} ${ms(m.ttftP95Ms)} ${pct(rel(p?.ttftP95Ms, m.ttftP95Ms))}   | ${usd(p?.costPerRequestUsd)} ${usd(m.costPerRequestUsd)} ${pct(rel(p?.costPerRequestUsd, m.costPerRequestUsd))}      | pred ${pct(rel(p?.latencyMeanMs, b.latencyMeanMs))} meas ${pct(rel(m.latencyMeanMs, b.latencyMeanMs))} | pred ${pct(rel(p?.perceivedP95Ms, b.perceivedP95Ms))} meas ${pct(rel(m.perceivedP95Ms, b.perceivedP95Ms))} | pred ${pct(rel(p?.costPerRequestUsd, b.costPerRequestUsd))} meas ${pct(rel(m.costPerRequestUsd, b.costPerRequestUsd))}`,
      );
    }
    console.log(`reference case: latency ${pct(plan.reference.latencyChange)}, cost ${pct(plan.reference.costChange)} · target: predicted within ±10% of measured · phase reruns took ${fmt((performance.now() - t0) / 1000)} s · ${loadAverage()}`);

    if (!args["skip-1m"]) await millionEvents(handle, Number(args.events));
  } finally {
    await handle.close();
  }
}

async function millionEvents(handle: Awaited<ReturnType<(typeof import("../db/test-db"))["createTestDb"]>>, count: number): Promise<void> {
  const { projectWithKey } = await import("../lib/auth/testing/project-with-key");
  const { fillAdvisorEvents } = await import("./bench/advisor-events");
  const { MILLION_FROM_MS, MILLION_TO_MS, timeMillionAnalysis, timeMovedWindow, timeKeeperPasses, timeReusedWindow } = await import("./bench/advisor-million");
  const { loadTrafficWithSegments } = await import("../lib/advisor/traffic-segments-load");
  const { project } = await projectWithKey(handle.db);
  const { startAnalysisHelper } = await import("../lib/advisor/helper/helper-start");
  // As the server starts it: its thread loads its code before the first analysis.
  const helper = startAnalysisHelper({}) ?? undefined;
  const f0 = performance.now();
  await fillAdvisorEvents(handle.db, project.id, count, MILLION_FROM_MS, MILLION_TO_MS);
  console.log(`\n1M events: filled ${count.toLocaleString("en-US")} in ${fmt((performance.now() - f0) / 1000)} s (SQL generate_series)`);
  const line = (r: Awaited<ReturnType<typeof timeMillionAnalysis>>) =>
    `loadTraffic ${fmt(r.loadMs, 0)} ms (${r.events.toLocaleString("en-US")} events) + findings ${fmt(r.findingsMs, 0)} ms (${r.found.findings.length}) + replay with backtest ${fmt(r.replayMs, 0)} ms (${r.answer.requests.toLocaleString("en-US")} LLM calls) = ${fmt(r.totalMs, 0)} ms (target <= 5000 ms; this process's CPU ${fmt(r.cpuMs.total, 0)} ms) · ${loadAverage()}`;
  for (let run = 1; run <= 2; run++) console.log(`  run ${run}, from the events, with the helper thread: ${line(await timeMillionAnalysis(handle.db, project, undefined, helper))}`);
  // The segment keeper's passes: the days every process's cold loads then read.
  const kept = await timeKeeperPasses(handle.db, project);
  console.log(
    `  segment keeper: first pass ${fmt(kept.first.ms, 0)} ms (${kept.first.daysWritten} days stored, ${fmt(kept.bytes / 1e6, 0)} MB; in the server on a worker thread), a pass with nothing new ${fmt(kept.second.ms, 0)} ms (${kept.second.daysWritten} days); ${kept.storedHours} hours with rows read back · ${loadAverage()}`,
  );
  const totals = { one: [] as number[], two: [] as number[] };
  for (let run = 1; run <= 3; run++) {
    const one = await timeMillionAnalysis(handle.db, project, loadTrafficWithSegments);
    console.log(`  cold, from the stored days, run ${run}, main thread alone:  ${line(one)}`);
    const two = await timeMillionAnalysis(handle.db, project, loadTrafficWithSegments, helper);
    console.log(`  cold, from the stored days, run ${run}, with the helper:    ${line(two)}`);
    if (JSON.stringify(one.found) !== JSON.stringify(two.found) || JSON.stringify({ ...one.answer, elapsedMs: 0 }) !== JSON.stringify({ ...two.answer, elapsedMs: 0 })) throw new Error("the helper's answers differ from the main thread's");
    totals.one.push(one.totalMs);
    totals.two.push(two.totalMs);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  console.log(`  cold from the stored days, median of 3: ${fmt(median(totals.two), 0)} ms with the helper against ${fmt(median(totals.one), 0)} ms on the main thread alone (${fmt(median(totals.one) / median(totals.two), 2)}x; the same answers)`);
  const reuse = await timeReusedWindow(handle.db, project);
  console.log(
    `  the page's next call on the same window: the unchanged window reused in ${fmt(reuse.reusedMs, 0)} ms (its stamp checked) instead of a load of ${fmt(reuse.coldMs, 0)} ms (${fmt(reuse.coldMs / reuse.reusedMs, 1)}x) · ${loadAverage()}`,
  );
  const hourly = Math.round(count / (7 * 24));
  const late = Math.round(hourly / 10);
  const moved = await timeMovedWindow(handle.db, project, hourly, late, helper);
  console.log(
    `  the page's Refresh an hour later (${hourly.toLocaleString("en-US")} new events, ${late.toLocaleString("en-US")} late ones in the last 10 minutes before): the window moved forward in ${fmt(moved.movedMs, 0)} ms (the part kept checked, its last 15 minutes and the new hour loaded and joined) instead of a load of ${fmt(moved.coldMs, 0)} ms (${fmt(moved.coldMs / moved.movedMs, 1)}x)` +
      ` + findings ${fmt(moved.findingsMs, 0)} ms (${moved.found.findings.length}) + replay with backtest ${fmt(moved.replayMs, 0)} ms (${moved.answer.requests.toLocaleString("en-US")} LLM calls) = ${fmt(moved.totalMs, 0)} ms for ${moved.events.toLocaleString("en-US")} events (target <= 5000 ms, with the helper) · ${loadAverage()}`,
  );
  await helper?.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
