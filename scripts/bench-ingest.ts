/**
 * `npm run bench:ingest`: HTTP ingestion vs a raw postgres.js COPY vs a naive drizzle insert, on the
 * same rows and indexes of a fresh Postgres database, measured in one run.
 * Options: --events N (default 1,000,000) --batch N (500) --senders N (4) --spread-seconds S (600)
 *          --base-url postgres://postgres@127.0.0.1:5432/postgres (or DATABASE_URL)
 */
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { openPostgres } from "../db/client";
import { runMigrations } from "../db/migrate";
import { events as eventsTable } from "../db/schema";
import { createApiKey } from "../lib/auth/api-keys";
import type { EventStatus, ResponseCacheStatus } from "../lib/events/event-enums";
import { createProject } from "../lib/projects/project-queries";
import { freshDatabase } from "./bench/fresh-database";
import { startHotServer } from "./bench/start-hot-server";
import { fmt, loadAverage, rate, runPool, summarize } from "./bench/stats";

const { values: opts } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    batch: { type: "string", default: "500" },
    senders: { type: "string", default: "4" },
    "base-url": { type: "string" },
    // Live traffic carries timestamps near "now" (default: the last 10 minutes); 86400 spreads
    // them one second apart over a day, the worst case for minute rollups (a backfill).
    "spread-seconds": { type: "string", default: "600" },
  },
});
const TOTAL = Number(opts.events);
const BATCH = Number(opts.batch);
const SENDERS = Number(opts.senders);
const BATCHES = Math.ceil(TOTAL / BATCH);
const SPREAD_MS = Number(opts["spread-seconds"]) * 1000;
const baseUrl = opts["base-url"] ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const MODELS = ["claude-haiku-4-5", "claude-sonnet-4-5-20250929", "claude-opus-4-6"];
const ROUTES = ["support-answer", "code-review", "research-planner", "summarize"];

function makeEvent(i: number, runTag: string, now: number) {
  return {
    id: `${runTag}-${i}`,
    timestamp: new Date(now - SPREAD_MS + Math.floor((i / TOTAL) * SPREAD_MS)).toISOString(),
    agent: `agent-${i % 7}`,
    route: ROUTES[i % ROUTES.length],
    sessionId: `s-${i % 5000}`,
    model: MODELS[i % MODELS.length],
    status: i % 50 === 0 ? "error" : "ok",
    latencyMs: 200 + (i % 1000) * 3.7,
    ttftMs: 80 + (i % 300),
    streamed: i % 2 === 0,
    inputTokens: 500 + (i % 900),
    outputTokens: 50 + (i % 400),
    cacheReadTokens: i % 3 === 0 ? 2048 : 0,
    cacheWrite5mTokens: i % 11 === 0 ? 1024 : 0,
    responseCache: i % 9 === 0 ? "hit" : "miss",
    promptHash: `ph-${i % 20_000}`,
    tags: { env: "bench", tier: i % 2 ? "free" : "pro" },
  };
}

async function main() {
  console.log(`bench:ingest: ${rate(TOTAL)} events over the last ${SPREAD_MS / 1000} s, batches of ${BATCH}, ${SENDERS} concurrent senders, Postgres; ${loadAverage()}`);
  const db = await freshDatabase(baseUrl, "pitwall_bench");
  const handle = openPostgres(db.url, { max: SENDERS + 2 });
  const sql = handle.sql!;
  const server = await startHotServer(db.url, { PITWALL_SHUTDOWN_FLUSH_MS: "1000" });
  try {
    await runMigrations(handle);
    const project = await createProject(handle.db, { slug: "bench" });
    const key = await createApiKey(handle.db, { projectId: project.id, name: "bench" });
    const truncate = () => sql`truncate events`;
    const now = Date.now();

    // Payloads are prepared up front so the senders measure the server, not JSON.stringify.
    const payloads: string[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const batch = [];
      for (let i = b * BATCH; i < Math.min(TOTAL, (b + 1) * BATCH); i++) batch.push(makeEvent(i, "http", now));
      payloads.push(JSON.stringify({ events: batch }));
    }

    // 1. HTTP at full speed.
    const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: SENDERS, pipelining: 1 });
    const send = async (b: number, acks: number[]) => {
      const t0 = performance.now();
      const res = await pool.request({
        path: "/api/v1/events",
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key.secret}` },
        body: payloads[b]!,
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`batch ${b}: ${res.statusCode} ${text.slice(0, 200)}`);
      acks.push(performance.now() - t0);
    };
    // Warm-up (JIT, connections, price cache) on a few batches, then start clean.
    await runPool(Math.min(20, BATCHES), SENDERS, (b) => send(b, []));
    await truncate();

    const httpAcks: number[] = [];
    let t0 = performance.now();
    await runPool(BATCHES, SENDERS, (b) => send(b, httpAcks));
    const httpSecs = (performance.now() - t0) / 1000;
    const httpRate = TOTAL / httpSecs;
    const httpAck = summarize(httpAcks);
    const [countRow] = await sql<{ n: number }[]>`select count(*)::int as n from events`;
    const stored = countRow!.n;
    console.log(`HTTP ingest       ${rate(httpRate)} events/s  (${fmt(httpSecs)} s; ack p50 ${fmt(httpAck.p50)} ms, p99 ${fmt(httpAck.p99)} ms; stored ${rate(stored)})`);

    // 2. HTTP paced at half the maximum rate: ack latency when not saturated.
    await truncate();
    const halfBatches = Math.min(BATCHES, Math.max(200, Math.round(BATCHES / 4)));
    const interval = (BATCH / (httpRate / 2)) * 1000;
    const pacedAcks: number[] = [];
    const start = performance.now();
    await runPool(halfBatches, SENDERS * 2, async (b) => {
      const due = start + b * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await send(b, pacedAcks);
    });
    const paced = summarize(pacedAcks);
    console.log(`HTTP at half rate ${rate(httpRate / 2)} events/s target: ack p50 ${fmt(paced.p50)} ms, p99 ${fmt(paced.p99)} ms (${paced.n} batches)`);
    await pool.close();
    await server.stop();

    // Rows as they are stored, for the database-side baselines (the same rows the HTTP path stored).
    await truncate();
    const rows = Array.from({ length: TOTAL }, (_, i) => toRow(makeEvent(i, "copy", now), project.id));
    const copyColumns = Object.keys(rows[0]!);

    // 3. COPY: the text is prepared before timing, so this measures the database alone.
    //    a) same batching and concurrency as the HTTP senders; b) bulk, one COPY per sender.
    const copyBatch = async (text: string) => {
      const stream = await sql`copy events (${sql.unsafe(copyColumns.join(","))}) from stdin`.writable();
      await new Promise<void>((resolve, reject) => {
        stream.on("error", reject);
        stream.on("finish", resolve);
        stream.end(text);
      });
    };
    const batchTexts = Array.from({ length: BATCHES }, (_, b) => rows.slice(b * BATCH, (b + 1) * BATCH).map(copyLine).join(""));
    t0 = performance.now();
    await runPool(BATCHES, SENDERS, (b) => copyBatch(batchTexts[b]!));
    const copySecs = (performance.now() - t0) / 1000;
    const copyRate = TOTAL / copySecs;
    console.log(`COPY, batches     ${rate(copyRate)} events/s  (${fmt(copySecs)} s; ${BATCH} rows per COPY, ${SENDERS} connections)`);

    await truncate();
    const perSender = Math.ceil(BATCHES / SENDERS);
    const bulkTexts = Array.from({ length: SENDERS }, (_, s) => batchTexts.slice(s * perSender, (s + 1) * perSender).join(""));
    t0 = performance.now();
    await Promise.all(bulkTexts.map(copyBatch));
    const bulkSecs = (performance.now() - t0) / 1000;
    const bulkRate = TOTAL / bulkSecs;
    console.log(`COPY, bulk        ${rate(bulkRate)} events/s  (${fmt(bulkSecs)} s; one COPY per connection)`);

    // 4. Naive drizzle insert().values() per batch.
    await truncate();
    const naiveRows = rows.map((r, i) => ({ ...r, id: `naive-${i}` }));
    t0 = performance.now();
    await runPool(BATCHES, SENDERS, async (b) => {
      await handle.db.insert(eventsTable).values(naiveRows.slice(b * BATCH, (b + 1) * BATCH).map(toDrizzle));
    });
    const naiveSecs = (performance.now() - t0) / 1000;
    const naiveRate = TOTAL / naiveSecs;
    console.log(`drizzle insert    ${rate(naiveRate)} events/s  (${fmt(naiveSecs)} s)`);

    const vsCopy = httpRate / copyRate;
    const vsBulk = httpRate / bulkRate;
    const vsNaive = httpRate / naiveRate;
    console.log("");
    console.log(`HTTP / COPY batches  ${fmt(vsCopy, 2)}x   (target >= 0.5x)  ${vsCopy >= 0.5 ? "MET" : "MISSED"}`);
    console.log(`HTTP / COPY bulk     ${fmt(vsBulk, 2)}x   (target >= 0.5x)  ${vsBulk >= 0.5 ? "MET" : "MISSED"}`);
    console.log(`HTTP / naive insert  ${fmt(vsNaive, 2)}x   (target >= 3x)    ${vsNaive >= 3 ? "MET" : "MISSED"}`);
    console.log(`ack p99 at half rate ${fmt(paced.p99)} ms  (target <= 100 ms) ${paced.p99 <= 100 ? "MET" : "MISSED"}`);
    console.log(loadAverage());
  } finally {
    await server.stop();
    await handle.close();
    await db.drop();
  }
}

type Row = ReturnType<typeof toRow>;

// Cost is computed by the HTTP path from prices; the baselines store a precomputed value.
function toRow(e: ReturnType<typeof makeEvent>, projectId: string) {
  return {
    project_id: projectId,
    id: e.id,
    ts: e.timestamp,
    kind: "llm",
    agent: e.agent,
    route: e.route!,
    session_id: e.sessionId,
    provider: "anthropic",
    model: e.model!,
    status: e.status,
    latency_ms: e.latencyMs,
    ttft_ms: e.ttftMs,
    streamed: e.streamed,
    input_tokens: e.inputTokens,
    output_tokens: e.outputTokens,
    cache_read_tokens: e.cacheReadTokens,
    cache_write_5m_tokens: e.cacheWrite5mTokens,
    cache_write_1h_tokens: 0,
    response_cache: e.responseCache,
    cost_nano_usd: String(e.inputTokens * 3000 + e.outputTokens * 15000),
    cost_source: "computed",
    prompt_hash: e.promptHash,
    tags: JSON.stringify(e.tags),
  };
}

function copyLine(r: Row): string {
  return (
    Object.values(r)
      .map((v) => String(v).replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n"))
      .join("\t") + "\n"
  );
}

function toDrizzle(r: Row): typeof eventsTable.$inferInsert {
  return {
    projectId: r.project_id,
    id: r.id,
    ts: new Date(r.ts),
    kind: "llm",
    agent: r.agent,
    route: r.route,
    sessionId: r.session_id,
    provider: r.provider,
    model: r.model,
    status: r.status as EventStatus,
    latencyMs: r.latency_ms,
    ttftMs: r.ttft_ms,
    streamed: r.streamed,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cacheReadTokens: r.cache_read_tokens,
    cacheWrite5mTokens: r.cache_write_5m_tokens,
    cacheWrite1hTokens: 0,
    responseCache: r.response_cache as ResponseCacheStatus,
    costNanoUsd: BigInt(r.cost_nano_usd),
    costSource: "computed",
    promptHash: r.prompt_hash,
    tags: JSON.parse(r.tags) as Record<string, string>,
  };
}

// Exit explicitly: the spawned server's pipes would otherwise keep this process waiting.
main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
