/**
 * The 1M-event analysis of bench:advisor (loadTraffic, analyzeFindings, runReplay with its
 * backtest) on a kept database, for profiling: `node --cpu-prof --import tsx
 * scripts/profile-advisor-1m.ts [--runs 2]` (DATABASE_URL; the first run fills
 * pitwall_advisor_bench, as bench:advisor-load --keep does, and later runs reuse it). Prints each
 * stage's time; the same policies as bench:advisor. `--dump file.json` writes the last run's
 * findings and replay answer (timings left out) to compare two versions' results.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { rowsOf } from "../db/rows";
import { fmt, loadAverage } from "./bench/stats";
import { keptAdvisorDb } from "./bench/kept-advisor-db";

const { values: args } = parseArgs({ options: { events: { type: "string", default: "1000000" }, runs: { type: "string", default: "2" }, dump: { type: "string" } } });
const EVENTS = Number(args.events);

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) throw new Error("profile-advisor-1m needs DATABASE_URL (Postgres)");
  const { projectWithKey } = await import("../lib/auth/testing/project-with-key");
  const { fillAdvisorEvents } = await import("./bench/advisor-events");
  const { loadTraffic } = await import("../lib/advisor/traffic-load");
  const { runReplay } = await import("../lib/advisor/replay/run-replay");
  const { analyzeFindings } = await import("../lib/advisor/findings/analyze-findings");
  const { getPriceBook } = await import("../lib/pricing/price-queries");
  const { RoutingPolicy } = await import("../lib/policies/routing-policy-schema");
  const { CachePolicy } = await import("../lib/policies/cache-policy-schema");
  const handle = await keptAdvisorDb();
  try {
    const toMs = Date.parse("2026-12-01T00:00:00Z");
    const fromMs = toMs - 7 * 86_400_000;
    const existing = rowsOf<{ id: string; slug: string }>(
      await handle.db.execute(sql`select p.id, p.slug from events e join projects p on p.id = e.project_id group by 1, 2 having count(*) = ${EVENTS} limit 1`),
    );
    const project = existing[0] ?? (await projectWithKey(handle.db)).project;
    if (!existing[0]) await fillAdvisorEvents(handle.db, project.id, EVENTS, fromMs, toMs);
    const prices = await getPriceBook(handle.db, project.id);
    const live = { routing: RoutingPolicy.parse({}), cache: CachePolicy.parse({}) };
    const candidate = { routing: RoutingPolicy.parse({ default: { promptCaching: { enabled: true } } }), cache: CachePolicy.parse({ default: { ttlSec: 600 } }) };
    for (let run = 1; run <= Number(args.runs); run++) {
      const s = performance.now();
      const c0 = process.cpuUsage();
      const traffic = await loadTraffic(handle.db, { projectId: project.id, from: new Date(fromMs), to: new Date(toMs + 1) });
      const loaded = performance.now();
      const c1 = process.cpuUsage();
      const found = analyzeFindings(traffic, { prices, projectSlug: project.slug });
      const analysed = performance.now();
      const c2 = process.cpuUsage();
      const answer = await runReplay({ traffic, live, candidate, prices });
      const done = performance.now();
      const c3 = process.cpuUsage();
      const cpu = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => fmt((b.user + b.system - a.user - a.system) / 1000, 0);
      console.log(
        `run ${run}: load ${fmt(loaded - s, 0)} ms + findings ${fmt(analysed - loaded, 0)} ms (${found.findings.length}) + replay ${fmt(done - analysed, 0)} ms (${answer.requests}) = ${fmt(done - s, 0)} ms · this process's CPU ${cpu(c0, c1)} + ${cpu(c1, c2)} + ${cpu(c2, c3)} ms · ${loadAverage()}`,
      );
      if (args.dump && run === Number(args.runs)) {
        const { elapsedMs: _, ...replay } = answer;
        writeFileSync(args.dump, JSON.stringify({ findings: found, replay }, null, 1));
      }
    }
  } finally {
    await handle.close();
  }
}


main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
