/**
 * `npm run bench:dashboard`: the dashboard queries on rollups vs the naive query on raw events,
 * and what rollup upkeep costs ingestion, in one run on a fresh Postgres database (dropped after).
 *
 * 1. Loads N events (default 10,000,000) spread over 30 days with COPY (raw postgres.js).
 * 2. Builds their rollups with one set-based statement (lib/metrics/rollup-sql.ts).
 * 3. Times summary and time-series queries for 24h, 7d and 30d, with and without filters (warm
 *    p95 of many runs), and the naive percentile_cont over the raw events for the same question;
 *    reports speed-ups, percentile error against the exact answer and whether sums are exact.
 * 4. Ingests through ingestBatch with rollup upkeep off and on (flusher running), alternating,
 *    and probes how soon an acknowledged event shows in the summary.
 *
 * Options: --events N (10000000) --days D (30) --runs R (30) --naive-runs R (3)
 *          --ingest-events N (200000) --batch N (500) --senders N (4) --base-url postgres://…
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { openPostgres, type Db } from "../db/client";
import { runMigrations } from "../db/migrate";
import { rowsOf } from "../db/rows";
import type { EventStatus, ResponseCacheStatus } from "../lib/events/event-enums";
import { ingestBatch } from "../lib/ingestion/ingest-batch";
import { getSummary, type Summary } from "../lib/metrics/get-summary";
import { getTimeseries } from "../lib/metrics/get-timeseries";
import { floorTo, setWatermark } from "../lib/metrics/rollup-seal";
import { eventsSource, rollupBuildSql, TPS_SQL } from "../lib/metrics/rollup-sql";
import { flushRollups, setRollupUpkeep, startRollupFlusher } from "../lib/metrics/rollup-upkeep";
import type { SummaryParams, TimeseriesParams } from "../lib/metrics/schemas";
import { resolveRange } from "../lib/metrics/time-range";
import type { TokenUsage } from "../lib/pricing/compute-cost";
import { createProject } from "../lib/projects/project-queries";
import { seededRandom } from "../lib/seeded-random";
import { freshDatabase } from "./bench/fresh-database";
import { fmt, percentile, rate, runPool } from "./bench/stats";

const { values: opts } = parseArgs({
  options: {
    events: { type: "string", default: "10000000" },
    days: { type: "string", default: "30" },
    runs: { type: "string", default: "30" },
    "naive-runs": { type: "string", default: "3" },
    "ingest-events": { type: "string", default: "200000" },
    batch: { type: "string", default: "500" },
    senders: { type: "string", default: "4" },
    "base-url": { type: "string" },
    "skip-ingest": { type: "boolean", default: false },
    "only-ingest": { type: "boolean", default: false },
    // Keeps the database for inspection (its name is printed); drop it by hand after.
    keep: { type: "boolean", default: false },
  },
});
const TOTAL = Number(opts.events);
const DAYS = Number(opts.days);
const RUNS = Number(opts.runs);
const NAIVE_RUNS = Number(opts["naive-runs"]);
const INGEST_EVENTS = Number(opts["ingest-events"]);
const BATCH = Number(opts.batch);
const SENDERS = Number(opts.senders);
const baseUrl = opts["base-url"] ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

// ---------------------------------------------------------------------------------------------
// A realistic project: four models (one dated id), agents that each use two of ten routes,
// log-normal latencies with a slow tail, prompt caching on 40% of calls, a response cache on two
// routes. Costs are computed from the seeded price table's rates (nano-USD per token).
// ---------------------------------------------------------------------------------------------
type Model = { id: string; weight: number; latencyMs: number; rates: [number, number, number, number, number] };
const MODELS: Model[] = [
  { id: "claude-sonnet-4-5", weight: 0.45, latencyMs: 1800, rates: [3000, 3750, 6000, 300, 15000] },
  { id: "claude-haiku-4-5", weight: 0.3, latencyMs: 600, rates: [1000, 1250, 2000, 100, 5000] },
  { id: "claude-opus-4-6", weight: 0.2, latencyMs: 4000, rates: [5000, 6250, 10000, 500, 25000] },
  { id: "claude-sonnet-4-5-20250929", weight: 0.05, latencyMs: 1800, rates: [3000, 3750, 6000, 300, 15000] },
];
const ROUTES = ["faq", "classify", "support-answer", "code-review", "summarize", "research", "plan", "extract", "translate", "chat"];
const AGENTS = ["triage", "coder", "researcher", "writer", "planner", "support"];
const CACHED_ROUTES = new Set(["faq", "classify"]);

type GenEvent = TokenUsage & {
  tsMs: number;
  model: string;
  route: string;
  agent: string;
  status: EventStatus;
  latencyMs: number;
  ttftMs: number | null;
  responseCache: ResponseCacheStatus;
  costNanoUsd: bigint;
};

/** Events come in time order (as ingestion stores them), so the table is clustered by time. */
function makeGenerator(seed: number, fromMs: number, spanMs: number, count = 0) {
  const r = seededRandom(seed);
  let made = 0;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return (): GenEvent => {
    let u = r();
    let model = MODELS[0]!;
    for (const m of MODELS) {
      if (u < m.weight) {
        model = m;
        break;
      }
      u -= m.weight;
    }
    const agentIndex = Math.floor(r() * AGENTS.length);
    const route = ROUTES[(agentIndex * 2 + (r() < 0.5 ? 0 : 1)) % ROUTES.length]!;
    const s = r();
    const status = s < 0.96 ? "ok" : s < 0.99 ? "error" : "aborted";
    const responseCache = CACHED_ROUTES.has(route) ? (r() < 0.3 ? "hit" : "miss") : r() < 0.1 ? "bypass" : "none";
    const hit = responseCache === "hit";
    const slow = r() < 0.02 ? 4 + r() * 6 : 1;
    const latencyMs = hit ? 5 + r() * 40 : Math.round(model.latencyMs * Math.exp(0.6 * gauss()) * slow * 1000) / 1000;
    const streamed = r() < 0.8;
    const ttftMs = streamed ? Math.round(latencyMs * (0.1 + 0.25 * r()) * 1000) / 1000 : null;
    const inputTokens = hit ? 0 : 200 + Math.floor(r() * 7800);
    const outputTokens = hit ? 0 : status === "ok" ? 50 + Math.floor(r() * 1450) : Math.floor(r() * 50);
    const cacheReadTokens = !hit && r() < 0.4 ? 2048 + Math.floor(r() * 18000) : 0;
    const cacheWrite5mTokens = !hit && r() < 0.08 ? 1024 + Math.floor(r() * 8000) : 0;
    const cacheWrite1hTokens = !hit && r() < 0.02 ? 1024 + Math.floor(r() * 8000) : 0;
    const [inR, w5R, w1R, crR, outR] = model.rates;
    const costNanoUsd =
      BigInt(inputTokens) * BigInt(inR) +
      BigInt(cacheWrite5mTokens) * BigInt(w5R) +
      BigInt(cacheWrite1hTokens) * BigInt(w1R) +
      BigInt(cacheReadTokens) * BigInt(crR) +
      BigInt(outputTokens) * BigInt(outR);
    const at = count > 0 ? (made++ + r()) / count : r();
    return {
      tsMs: fromMs + Math.floor(at * spanMs),
      model: model.id,
      route,
      agent: AGENTS[agentIndex]!,
      status,
      latencyMs,
      ttftMs,
      inputTokens,
      outputTokens,
      cacheReadTokens,
      cacheWrite5mTokens,
      cacheWrite1hTokens,
      responseCache,
      costNanoUsd,
    };
  };
}

const COPY_COLUMNS = [
  "project_id",
  "id",
  "ts",
  "kind",
  "agent",
  "route",
  "provider",
  "model",
  "status",
  "latency_ms",
  "ttft_ms",
  "streamed",
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_5m_tokens",
  "cache_write_1h_tokens",
  "response_cache",
  "cost_nano_usd",
  "cost_source",
];

function copyLine(projectId: string, i: number, e: GenEvent): string {
  return [
    projectId,
    `ev-${i}`,
    new Date(e.tsMs).toISOString(),
    "llm",
    e.agent,
    e.route,
    "anthropic",
    e.model,
    e.status,
    e.latencyMs,
    e.ttftMs ?? "\\N",
    e.ttftMs !== null ? "t" : "f",
    e.inputTokens,
    e.outputTokens,
    e.cacheReadTokens,
    e.cacheWrite5mTokens,
    e.cacheWrite1hTokens,
    e.responseCache,
    e.costNanoUsd.toString(),
    "computed",
  ].join("\t");
}

// ---------------------------------------------------------------------------------------------

async function load(pg: postgres.Sql, projectId: string, nowMs: number): Promise<number> {
  const spanMs = DAYS * 86_400_000;
  // Two COPY streams (one per core), each with its own generator; ids never collide.
  const streams = 2;
  const perStream = Math.ceil(TOTAL / streams);
  const t0 = performance.now();
  let loaded = 0;
  let lastReport = 0;
  await Promise.all(
    Array.from({ length: streams }, async (_, s) => {
      const first = s * perStream;
      const last = Math.min(TOTAL, first + perStream);
      // Each stream loads its own stretch of the 30 days, in time order.
      const streamSpan = (spanMs - 120_000) / streams;
      const next = makeGenerator(1000 + s, nowMs - spanMs + 60_000 + s * streamSpan, streamSpan, last - first);
      const writable = await pg`copy events (${pg.unsafe(COPY_COLUMNS.join(", "))}) from stdin`.writable();
      const done = new Promise<void>((resolve, reject) => {
        writable.on("error", reject);
        writable.on("finish", resolve);
      });
      const CHUNK = 20_000;
      for (let i = first; i < last; i += CHUNK) {
        const lines: string[] = [];
        for (let j = i; j < Math.min(last, i + CHUNK); j++) lines.push(copyLine(projectId, j, next()));
        if (!writable.write(`${lines.join("\n")}\n`)) await new Promise((r) => writable.once("drain", r));
        loaded += lines.length;
        if (loaded - lastReport >= 1_000_000) {
          lastReport = loaded;
          process.stdout.write(`  loaded ${rate(loaded)} (${rate(loaded / ((performance.now() - t0) / 1000))} events/s)\n`);
        }
      }
      writable.end();
      await done;
    }),
  );
  return (performance.now() - t0) / 1000;
}

async function timeRuns(n: number, fn: () => Promise<unknown>): Promise<{ p50: number; p95: number; samples: number[] }> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), samples };
}

type NaiveAnswer = {
  requests: string;
  errors: string;
  input: string;
  output: string;
  cache_read: string;
  cache_write: string;
  cost: string;
  lat: number[];
  ttft: number[];
};

function filterSql(projectId: string, from: number, to: number, f: Partial<Record<"model" | "route" | "agent" | "status", string>>) {
  const conds = [
    sql`project_id = ${projectId}::uuid`,
    sql`kind = 'llm'`,
    sql`ts >= ${new Date(from).toISOString()}::timestamptz`,
    sql`ts < ${new Date(to).toISOString()}::timestamptz`,
  ];
  for (const [k, v] of Object.entries(f)) if (v !== undefined) conds.push(sql`${sql.identifier(k)} = ${v}`);
  return sql.join(conds, sql` and `);
}

/**
 * The naive dashboard: the summary's answer (totals and per model: exact sums, latency, TTFT and
 * tokens/s percentiles) computed with percentile_cont over the raw events.
 */
async function naiveSummary(db: Db, projectId: string, from: number, to: number, f: Partial<Record<"model" | "route" | "agent" | "status", string>>): Promise<NaiveAnswer> {
  const rows = rowsOf<NaiveAnswer & { total: boolean }>(
    await db.execute(sql`
      select grouping(model) = 1 as total, count(*)::text as requests, (count(*) filter (where status = 'error'))::text as errors,
        coalesce(sum(input_tokens), 0)::text as input, coalesce(sum(output_tokens), 0)::text as output,
        coalesce(sum(cache_read_tokens), 0)::text as cache_read,
        coalesce(sum(cache_write_5m_tokens + cache_write_1h_tokens), 0)::text as cache_write,
        coalesce(sum(cost_nano_usd), 0)::text as cost,
        percentile_cont(array[0.5, 0.9, 0.95, 0.99]) within group (order by latency_ms) as lat,
        percentile_cont(array[0.5, 0.9, 0.95, 0.99]) within group (order by ttft_ms) as ttft,
        percentile_cont(0.5) within group (order by ${TPS_SQL}) as tps
      from events where ${filterSql(projectId, from, to, f)}
      group by grouping sets ((model), ())
    `),
  );
  return rows.find((r) => r.total) ?? { requests: "0", errors: "0", input: "0", output: "0", cache_read: "0", cache_write: "0", cost: "0", lat: [], ttft: [] };
}

/** The naive chart: percentile_cont per bucket over the raw events. */
async function naiveTimeseries(db: Db, projectId: string, from: number, to: number, bucketS: number, f: Partial<Record<"model" | "route" | "agent" | "status", string>>) {
  return db.execute(sql`
    select date_bin(${`${bucketS} seconds`}::interval, ts, '2000-01-01T00:00:00Z'::timestamptz) as t,
      percentile_cont(array[0.5, 0.9, 0.95, 0.99]) within group (order by latency_ms) as lat
    from events where ${filterSql(projectId, from, to, f)}
    group by 1 order by 1
  `);
}

const relErr = (est: number | null, exact: number | null) => (est === null || exact === null ? (est === exact ? 0 : Infinity) : exact === 0 ? Math.abs(est) : Math.abs(est - exact) / exact);

function percentileError(s: Summary, n: NaiveAnswer): number {
  const pg = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : String(v).replace(/[{}]/g, "").split(",").map(Number));
  const lat = pg(n.lat);
  const ttft = pg(n.ttft);
  const est = [s.latencyMs.p50, s.latencyMs.p90, s.latencyMs.p95, s.latencyMs.p99];
  const estT = [s.ttftMs.p50, s.ttftMs.p90, s.ttftMs.p95, s.ttftMs.p99];
  return Math.max(...est.map((v, i) => relErr(v, lat[i] ?? null)), ...estT.map((v, i) => relErr(v, ttft[i] ?? null)));
}

function sumsExact(s: Summary, n: NaiveAnswer): boolean {
  return (
    String(s.requests) === n.requests &&
    String(s.errors) === n.errors &&
    String(s.inputTokens) === n.input &&
    String(s.outputTokens) === n.output &&
    String(s.cacheReadTokens) === n.cache_read &&
    String(s.cacheWriteTokens) === n.cache_write &&
    s.costNanoUsd === n.cost
  );
}

// ---------------------------------------------------------------------------------------------

function ingestPayloads(tag: string, count: number): Record<string, unknown>[][] {
  const batches = Math.ceil(count / BATCH);
  const next = makeGenerator(tag.length * 7919, 0, 1);
  return Array.from({ length: batches }, (_, b) =>
    Array.from({ length: Math.min(BATCH, count - b * BATCH) }, (_, j) => {
      const e = next();
      return {
        id: `${tag}-${b}-${j}`,
        timestamp: new Date(Date.now() - Math.floor(Math.random() * 2000)).toISOString(),
        model: e.model,
        route: e.route,
        agent: e.agent,
        status: e.status,
        latencyMs: e.latencyMs,
        ttftMs: e.ttftMs,
        streamed: e.ttftMs !== null,
        inputTokens: e.inputTokens,
        outputTokens: e.outputTokens,
        cacheReadTokens: e.cacheReadTokens,
        cacheWrite5mTokens: e.cacheWrite5mTokens,
        cacheWrite1hTokens: e.cacheWrite1hTokens,
        responseCache: e.responseCache,
      };
    }),
  );
}

/**
 * Ingest throughput with upkeep off or on. "On" runs the flusher in this process, as the server
 * does, and counts until the queue is drained, so folding the events into rollups is part of the
 * measured time.
 */
async function ingestRun(db: Db, projectId: string, on: boolean, tag: string) {
  const payloads = ingestPayloads(tag, INGEST_EVENTS);
  setRollupUpkeep(on);
  const flusher = on ? startRollupFlusher(() => db, 1000) : null;
  const t0 = performance.now();
  await runPool(payloads.length, SENDERS, async (b) => {
    const r = await ingestBatch(db, projectId, payloads[b]!);
    if (r.rejected.length > 0) throw new Error(`rejected: ${JSON.stringify(r.rejected[0])}`);
  });
  const acked = performance.now();
  if (flusher) await flusher.stop();
  const done = performance.now();
  setRollupUpkeep(true);
  const f = flusher?.stats();
  return {
    rate: INGEST_EVENTS / ((done - t0) / 1000),
    ackRate: INGEST_EVENTS / ((acked - t0) / 1000),
    drainMs: done - acked,
    flushes: f ? `${f.flushes} flushes, ${Math.round(f.totalRows / Math.max(1, f.flushes))} rows and ${Math.round(f.totalMs / Math.max(1, f.flushes))} ms each` : "",
  };
}

/**
 * Freshness under load: senders ingest at about half the measured rate while probe events, each
 * with its own agent, are polled in the summary until they show.
 */
async function freshnessRun(db: Db, projectId: string, targetRate: number): Promise<number[]> {
  const payloads = ingestPayloads("fresh", INGEST_EVENTS);
  const flusher = startRollupFlusher(() => db, 1000);
  const probes: number[] = [];
  let loading = true;
  const interval = (BATCH / targetRate) * 1000;
  const start = performance.now();
  const load = runPool(payloads.length, SENDERS * 2, async (b) => {
    const wait = start + b * interval - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await ingestBatch(db, projectId, payloads[b]!);
  }).finally(() => {
    loading = false;
  });
  for (let i = 0; loading; i++) {
    const agent = `probe-${i}`;
    await ingestBatch(db, projectId, [{ id: `probe-${i}`, timestamp: new Date().toISOString(), model: "claude-haiku-4-5", latencyMs: 100, inputTokens: 1, outputTokens: 1, agent }]);
    const acked = performance.now();
    const params: SummaryParams = { kind: "llm", range: "1h", agent };
    while ((await getSummary(db, projectId, params)).requests === 0 && performance.now() - acked < 10_000) {
      await new Promise((r) => setTimeout(r, 20));
    }
    probes.push(performance.now() - acked);
    await new Promise((r) => setTimeout(r, 300));
  }
  await load;
  await flusher.stop();
  return probes.sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  console.log(`bench:dashboard: ${rate(TOTAL)} events over ${DAYS} days, Postgres, ${RUNS} warm runs per query`);
  const database = await freshDatabase(baseUrl, "pitwall_bench_dash");
  const handle = openPostgres(database.url, { max: SENDERS + 4 });
  const db = handle.db;
  const pg = handle.sql!;
  try {
    await runMigrations(handle);
    const project = await createProject(db, { slug: "bench" });
    const nowMs = Date.now();

    let worstP95 = 0;
    let worstSpeedup = Infinity;
    let worstErr = 0;
    let allExact = true;
    if (!opts["only-ingest"]) {
    console.log(`\n1. load (COPY)`);
    const loadSecs = await load(pg, project.id, nowMs);
    console.log(`  ${rate(TOTAL)} events in ${fmt(loadSecs)} s (${rate(TOTAL / loadSecs)} events/s)`);
    await pg`vacuum analyze events`;

    console.log(`\n2. rollups for the loaded events (one set-based statement)`);
    const t0 = performance.now();
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local work_mem = '256MB'`);
      await tx.execute(rollupBuildSql(project.id, eventsSource(project.id)));
    });
    // Everything before the current hour and day is complete: later queries may use those rows.
    await setWatermark(db, 3600, floorTo(Date.now(), 3_600_000));
    await setWatermark(db, 86_400, floorTo(Date.now(), 86_400_000));
    const buildSecs = (performance.now() - t0) / 1000;
    await pg`vacuum analyze metric_rollups`;
    const counts = await pg<{ grain_s: number; n: string }[]>`select grain_s, count(*)::text as n from metric_rollups group by 1 order by 1`;
    const [size] = await pg<{ events: string; rollups: string }[]>`
      select pg_size_pretty(pg_total_relation_size('events')) as events, pg_size_pretty(pg_total_relation_size('metric_rollups')) as rollups`;
    console.log(`  built in ${fmt(buildSecs)} s: ${counts.map((c) => `${rate(Number(c.n))} ${c.grain_s === 60 ? "minute" : c.grain_s === 3600 ? "hour" : "day"} rows`).join(", ")}`);
    console.log(`  size: events ${size!.events}, rollups ${size!.rollups}`);

    console.log(`\n3. dashboard queries (warm p95 of ${RUNS}) vs the naive query on raw events (warm median of ${NAIVE_RUNS})`);
    // The dashboards' usual filters: one dimension. A narrow filter shrinks the naive scan (it
    // reads only matching events) far more than the rollup read, so its speed-up is smaller.
    const filters: [string, Partial<Record<"model" | "route" | "agent" | "status", string>>][] = [
      ["no filter", {}],
      ["model", { model: "claude-sonnet-4-5" }],
      ["route", { route: "support-answer" }],
    ];
    const header = `  ${"query".padEnd(40)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"naive ms".padStart(9)} ${"speed-up".padStart(9)}  pct err  sums`;
    console.log(header);
    const queryNow = Date.now();
    for (const range of ["24h", "7d", "30d"] as const) {
      for (const [label, f] of filters) {
        const params: SummaryParams = { kind: "llm", range, ...f } as SummaryParams;
        const { fromMs, toMs } = resolveRange(params, queryNow);
        const explicit = { ...params, range: undefined, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
        const summary = await getSummary(db, project.id, explicit, queryNow);
        for (let i = 0; i < 3; i++) await getSummary(db, project.id, explicit, queryNow);
        const q = await timeRuns(RUNS, () => getSummary(db, project.id, explicit, queryNow));
        const naive = await naiveSummary(db, project.id, fromMs, toMs, f);
        const n = await timeRuns(NAIVE_RUNS, () => naiveSummary(db, project.id, fromMs, toMs, f));
        const err = percentileError(summary, naive);
        const exact = sumsExact(summary, naive);
        worstP95 = Math.max(worstP95, q.p95);
        worstSpeedup = Math.min(worstSpeedup, n.p50 / q.p95);
        worstErr = Math.max(worstErr, err);
        allExact &&= exact;
        console.log(`  ${`summary ${range} ${label}`.padEnd(40)} ${fmt(q.p50).padStart(8)} ${fmt(q.p95).padStart(8)} ${fmt(n.p50, 0).padStart(9)} ${`${fmt(n.p50 / q.p95, 0)}x`.padStart(9)}  ${fmt(err * 100, 3).padStart(6)}%  ${exact ? "exact" : "DIFFER"}`);

        const ts: TimeseriesParams = { ...explicit, metric: "latency", bucket: "auto", limit: 8 };
        const series = await getTimeseries(db, project.id, ts, queryNow);
        for (let i = 0; i < 3; i++) await getTimeseries(db, project.id, ts, queryNow);
        const tq = await timeRuns(RUNS, () => getTimeseries(db, project.id, ts, queryNow));
        const bucketS = { "1m": 60, "5m": 300, "1h": 3600, "1d": 86_400 }[series.bucket];
        await naiveTimeseries(db, project.id, fromMs, toMs, bucketS, f);
        const tn = await timeRuns(NAIVE_RUNS, () => naiveTimeseries(db, project.id, fromMs, toMs, bucketS, f));
        worstP95 = Math.max(worstP95, tq.p95);
        worstSpeedup = Math.min(worstSpeedup, tn.p50 / tq.p95);
        console.log(`  ${`timeseries latency ${range} ${series.bucket} ${label}`.padEnd(40)} ${fmt(tq.p50).padStart(8)} ${fmt(tq.p95).padStart(8)} ${fmt(tn.p50, 0).padStart(9)} ${`${fmt(tn.p50 / tq.p95, 0)}x`.padStart(9)}`);

        if (label === "no filter") {
          const cost: TimeseriesParams = { ...explicit, metric: "cost", bucket: "auto", groupBy: "model", limit: 8 };
          for (let i = 0; i < 3; i++) await getTimeseries(db, project.id, cost, queryNow);
          const cq = await timeRuns(RUNS, () => getTimeseries(db, project.id, cost, queryNow));
          worstP95 = Math.max(worstP95, cq.p95);
          console.log(`  ${`timeseries cost by model ${range}`.padEnd(40)} ${fmt(cq.p50).padStart(8)} ${fmt(cq.p95).padStart(8)}`);
        }
      }
    }

    }
    if (opts["skip-ingest"]) return;
    console.log(`\n4. ingest through ingestBatch, rollup upkeep off vs on (${rate(INGEST_EVENTS)} events per run, batches of ${BATCH}, ${SENDERS} senders)`);
    const ingestProject = await createProject(db, { slug: "bench-ingest" });
    await flushRollups(db);
    // Warm-up (JIT, price cache, connections), then alternate so drift hits both sides alike.
    await ingestBatch(db, ingestProject.id, [{ id: "warm", timestamp: new Date().toISOString(), model: "claude-haiku-4-5", latencyMs: 1, inputTokens: 1, outputTokens: 1 }]);
    const results: { on: boolean; rate: number; ackRate: number; drainMs: number; flushes: string }[] = [];
    for (const [i, on] of [false, true, false, true, false, true].entries()) {
      const r = await ingestRun(db, ingestProject.id, on, `run${i}`);
      results.push({ on, ...r });
      console.log(`  rollups ${on ? "on " : "off"}: ${rate(r.rate)} events/s${on ? ` (acks at ${rate(r.ackRate)}/s; drained ${fmt(r.drainMs, 0)} ms after the last ack; ${r.flushes})` : ""}`);
    }
    const median = (on: boolean) => {
      const xs = results.filter((r) => r.on === on).map((r) => r.rate).sort((a, b) => a - b);
      return xs[Math.floor(xs.length / 2)]!;
    };
    const upkeepCost = 1 - median(true) / median(false);
    const probes = await freshnessRun(db, ingestProject.id, median(false) / 2);
    console.log(`  freshness at ${rate(median(false) / 2)} events/s: ${probes.length} probes, p50 ${fmt(percentile(probes, 50), 0)} ms, max ${fmt(probes[probes.length - 1] ?? NaN, 0)} ms`);

    console.log(`\nresults`);
    const verdict = (ok: boolean) => (ok ? "MET" : "MISSED");
    console.log(`  worst warm p95 of a dashboard query   ${fmt(worstP95)} ms        (target <= 100 ms)  ${verdict(worstP95 <= 100)}`);
    console.log(`  smallest speed-up vs the naive query  ${fmt(worstSpeedup, 0)}x          (target >= 50x)     ${verdict(worstSpeedup >= 50)}`);
    console.log(`  largest percentile error               ${fmt(worstErr * 100, 3)}%       (target <= 1%)      ${verdict(worstErr <= 0.01)}`);
    console.log(`  sums exact                             ${allExact ? "yes" : "no"}                                ${verdict(allExact)}`);
    console.log(`  rollup upkeep cost on ingest           ${fmt(upkeepCost * 100)}%          (target <= 15%)     ${verdict(upkeepCost <= 0.15)}`);
    console.log(`  ack -> visible in summary              p50 ${fmt(percentile(probes, 50), 0)} ms, max ${fmt(probes[probes.length - 1] ?? NaN, 0)} ms (target <= 2000 ms) ${verdict((probes[probes.length - 1] ?? Infinity) <= 2000)}`);
  } finally {
    await handle.close();
    if (opts.keep) console.log(`\nkept database ${new URL(database.url).pathname.slice(1)}`);
    await database.drop(Boolean(opts.keep));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
