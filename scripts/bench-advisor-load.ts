/**
 * npm run bench:advisor-load [-- --events 1000000 --runs 3]: how long loadTraffic takes on N
 * events in Postgres, next to two baselines from the same run: a bare count(*) of the window (the
 * least any read of those rows costs) and the raw COPY ... TO STDOUT byte stream of the same
 * columns in binary (what loadTraffic parses, read with no parsing). Needs DATABASE_URL. A fresh database is made and dropped;
 * with --keep the filled database stays (pitwall_advisor_bench) and later runs reuse it.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { rowsOf } from "../db/rows";
import { fmt } from "./bench/stats";
import { keptAdvisorDb } from "./bench/kept-advisor-db";

const { values: args } = parseArgs({
  options: { events: { type: "string", default: "1000000" }, runs: { type: "string", default: "3" }, keep: { type: "boolean", default: false } },
});
const EVENTS = Number(args.events);
const RUNS = Number(args.runs);

const load = () => loadavg().map((n) => n.toFixed(2)).join(" ");

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) throw new Error("bench:advisor-load needs DATABASE_URL (Postgres)");
  const { createTestDb } = await import("../db/test-db");
  const { projectWithKey } = await import("../lib/auth/testing/project-with-key");
  const { fillAdvisorEvents } = await import("./bench/advisor-events");
  const { loadTraffic } = await import("../lib/advisor/traffic-load");
  const { COPY_COLUMNS } = await import("../lib/advisor/traffic-copy-reader");
  const handle = args.keep ? await keptAdvisorDb() : await createTestDb();
  try {
    const toMs = Date.parse("2026-12-01T00:00:00Z");
    const fromMs = toMs - 7 * 86_400_000;
    const existing = rowsOf<{ id: string }>(await handle.db.execute(sql`select project_id as id from events group by 1 having count(*) = ${EVENTS} limit 1`));
    const project = existing[0] ?? (await projectWithKey(handle.db)).project;
    if (!existing[0]) {
      process.stderr.write(`  filling ${EVENTS.toLocaleString("en-US")} events…\n`);
      const t0 = performance.now();
      await fillAdvisorEvents(handle.db, project.id, EVENTS, fromMs, toMs);
      process.stderr.write(`  filled in ${fmt((performance.now() - t0) / 1000)} s\n`);
    }
    const window = { projectId: project.id, from: new Date(fromMs), to: new Date(toMs + 1) };
    const timeIt = async (fn: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const s = performance.now();
        await fn();
        times.push(performance.now() - s);
      }
      return Math.min(...times);
    };
    const where = sql`project_id = ${project.id}::uuid and ts >= ${window.from.toISOString()}::timestamptz and ts < ${window.to.toISOString()}::timestamptz`;
    const countMs = await timeIt(() => handle.db.execute(sql`select count(*) from events where ${where}`));
    const copyMs = await timeIt(async () => {
      const q = `copy (select ${COPY_COLUMNS} from events where project_id = '${project.id}' and ts >= '${window.from.toISOString()}'
        and ts < '${window.to.toISOString()}') to stdout (format binary)`;
      const stream = await handle.sql!.unsafe(q).readable();
      let bytes = 0;
      for await (const chunk of stream) bytes += (chunk as Buffer).length;
      return bytes;
    });
    let rows = 0;
    let traffic: Awaited<ReturnType<typeof loadTraffic>> | undefined;
    const loadMs = await timeIt(async () => {
      traffic = await loadTraffic(handle.db, window);
      rows = traffic.llm.length + traffic.tools.length;
    });
    const { analyzeFindings } = await import("../lib/advisor/findings/analyze-findings");
    const { getPriceBook } = await import("../lib/pricing/price-queries");
    const prices = await getPriceBook(handle.db, project.id);
    let found = 0;
    const findingsMs = await timeIt(async () => {
      found = analyzeFindings(traffic!, { prices, projectSlug: "bench" }).findings.length;
    });
    console.log(`advisor load, ${rows.toLocaleString("en-US")} events (best of ${RUNS}), load average ${load()}`);
    console.log(`  count(*) baseline          ${fmt(countMs, 0)} ms`);
    console.log(`  binary COPY, bytes only    ${fmt(copyMs, 0)} ms`);
    console.log(`  loadTraffic                ${fmt(loadMs, 0)} ms  (${fmt(loadMs / copyMs, 2)}x the COPY stream)`);
    console.log(`  analyzeFindings            ${fmt(findingsMs, 0)} ms  (${found} findings)`);
    console.log(`  load + findings            ${fmt(loadMs + findingsMs, 0)} ms  (the replay adds its own; budget 5 s for all)`);
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
