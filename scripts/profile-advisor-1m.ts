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
import { sql } from "drizzle-orm";
import { rowsOf } from "../db/rows";
import { fmt, loadAverage } from "./bench/stats";
import { projectWithKey } from "../lib/auth/testing/project-with-key";
import { fillAdvisorEvents } from "./bench/advisor-events";
import { MILLION_FROM_MS, MILLION_TO_MS, timeMillionAnalysis, timeReusedWindow } from "./bench/advisor-million";
import { keptAdvisorDb } from "./bench/kept-advisor-db";

const { values: args } = parseArgs({ options: { events: { type: "string", default: "1000000" }, runs: { type: "string", default: "2" }, dump: { type: "string" } } });
const EVENTS = Number(args.events);

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) throw new Error("profile-advisor-1m needs DATABASE_URL (Postgres)");
  const handle = await keptAdvisorDb();
  try {
    const existing = rowsOf<{ id: string; slug: string }>(
      await handle.db.execute(sql`select p.id, p.slug from events e join projects p on p.id = e.project_id group by 1, 2 having count(*) = ${EVENTS} limit 1`),
    );
    const project = existing[0] ?? (await projectWithKey(handle.db)).project;
    if (!existing[0]) await fillAdvisorEvents(handle.db, project.id, EVENTS, MILLION_FROM_MS, MILLION_TO_MS);
    const reuse = await timeReusedWindow(handle.db, project);
    console.log(`the same window again: reused in ${fmt(reuse.reusedMs, 0)} ms instead of a load of ${fmt(reuse.coldMs, 0)} ms · ${loadAverage()}`);
    for (let run = 1; run <= Number(args.runs); run++) {
      const r = await timeMillionAnalysis(handle.db, project);
      console.log(
        `run ${run}: load ${fmt(r.loadMs, 0)} ms + findings ${fmt(r.findingsMs, 0)} ms (${r.found.findings.length}) + replay ${fmt(r.replayMs, 0)} ms (${r.answer.requests}) = ${fmt(r.totalMs, 0)} ms · this process's CPU ${fmt(r.cpuMs.load, 0)} + ${fmt(r.cpuMs.findings, 0)} + ${fmt(r.cpuMs.replay, 0)} ms · ${loadAverage()}`,
      );
      if (args.dump && run === Number(args.runs)) {
        const { elapsedMs: _, ...replay } = r.answer;
        writeFileSync(args.dump, JSON.stringify({ findings: r.found, replay }, null, 1));
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
