import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import type { EventStatus, ResponseCacheStatus } from "../events/event-enums";
import { PLAYGROUND_ROUTE } from "../metrics/playground-filter";
import { allRows, stampOfRows, type Traffic, type TrafficStamp } from "./traffic";
import { COPY_COLUMNS, CopyBinaryReader } from "./traffic-copy-reader";
import { TrafficBuilder, type LlmRow, type ToolRow, type TrafficDictionaries } from "./traffic-builder";

/**
 * Playground calls are an operator's experiments, not the agents' traffic: left out as the
 * dashboards leave them out by default (the route is a constant, safe to inline in COPY).
 */
export const NOT_PLAYGROUND = `route is distinct from '${PLAYGROUND_ROUTE}'`;

export type LoadTrafficParams = {
  projectId: string;
  from: Date;
  to: Date;
  signal?: AbortSignal;
  /** The share of the window's LLM calls read so far; on Postgres a count comes first to know the whole. */
  onProgress?: (fraction: number) => void;
  /** Code the rows into these dictionaries (an earlier window's), so the two can be joined (traffic-extend.ts). */
  dictionaries?: TrafficDictionaries;
};

/**
 * The PGlite path's select: the columns the advisor reads, as positional values. Timestamps come out as epoch ms doubles and
 * cost as a double (exact below 2^53 nano-USD) so no Date or BigInt is built per row; tags as
 * jsonb text, which interns to a handful of distinct strings.
 */
const SELECT = `select kind, id, (extract(epoch from ts) * 1000)::float8, route, agent, session_id, trace_id,
  parent_id, model, requested_model, user_id, tags::text, prompt_hash, system_hash, status, response_cache,
  streamed, cost_source = 'unpriced', latency_ms, ttft_ms, input_tokens, output_tokens, cache_read_tokens,
  cache_write_5m_tokens, cache_write_1h_tokens, system_tokens, message_count, tool_count, policy_version,
  cost_nano_usd::float8, case when kind = 'tool' then metadata->>'name' end, (extract(epoch from received_at) * 1000000)::float8,
  requested_cache_ttl_sec
  from events where project_id = $1::uuid and ts >= $2::timestamptz and ts < $3::timestamptz and kind in ('llm', 'tool')
  and ${NOT_PLAYGROUND}`;

type Row = unknown[];
type PgliteClient = { query: (q: string, params: unknown[], opts: { rowMode: "array" }) => Promise<{ rows: Row[] }> };

/** Throws the signal's reason (an AbortError unless the caller gave one) once it is aborted. */
function aborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

const str = (v: unknown) => (v === null || v === undefined ? null : (v as string));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** One reused row object per kind: the builder copies the values into its columns. */
function rowSink(builder: TrafficBuilder) {
  const llm = {} as LlmRow;
  const tool = {} as ToolRow;
  return (r: Row) => {
    if (r[0] === "tool") {
      tool.receivedUs = r[31] as number;
      tool.id = r[1] as string;
      tool.tsMs = r[2] as number;
      tool.agent = str(r[4]);
      tool.session = str(r[5]);
      tool.trace = str(r[6]);
      tool.parent = str(r[7]);
      tool.status = r[14] as EventStatus;
      tool.latencyMs = num(r[18]);
      tool.name = str(r[30]);
      builder.addTool(tool);
      return;
    }
    llm.id = r[1] as string;
    llm.tsMs = r[2] as number;
    llm.route = str(r[3]);
    llm.agent = str(r[4]);
    llm.session = str(r[5]);
    llm.trace = str(r[6]);
    llm.parent = str(r[7]);
    llm.model = str(r[8]);
    llm.requestedModel = str(r[9]);
    llm.user = str(r[10]);
    llm.tags = (r[11] as string | null) ?? "{}";
    llm.promptHash = str(r[12]);
    llm.systemHash = str(r[13]);
    llm.status = r[14] as EventStatus;
    llm.responseCache = r[15] as ResponseCacheStatus;
    llm.streamed = r[16] === true;
    llm.unpriced = r[17] === true;
    llm.latencyMs = num(r[18]);
    llm.ttftMs = num(r[19]);
    llm.inputTokens = r[20] as number;
    llm.outputTokens = r[21] as number;
    llm.cacheReadTokens = r[22] as number;
    llm.cacheWrite5mTokens = r[23] as number;
    llm.cacheWrite1hTokens = r[24] as number;
    llm.systemTokens = num(r[25]);
    llm.messageCount = num(r[26]);
    llm.toolCount = num(r[27]);
    llm.policyVersion = num(r[28]);
    llm.costNano = r[29] as number;
    llm.requestedCacheTtlSec = num(r[32]);
    llm.receivedUs = r[31] as number;
    builder.addLlm(llm);
  };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type PostgresJsReserved = { unsafe: (q: string) => PromiseLike<unknown> & { readable: () => Promise<unknown>; cancel: () => void }; release: () => void };
export type PostgresJsCopy = { unsafe: unknown; reserve: () => Promise<PostgresJsReserved> };

/**
 * Streams the window with COPY ... TO STDOUT (FORMAT binary) into the builder. COPY takes no bind
 * parameters, so the three values are inlined, each checked first (a uuid, two ISO instants from
 * Date). On abort the server is asked to cancel and the stream dropped.
 */
async function copyInto(client: PostgresJsCopy, builder: TrafficBuilder, params: LoadTrafficParams): Promise<void> {
  if (!UUID.test(params.projectId)) throw new Error("loadTraffic: projectId is not a uuid");
  const where = `project_id = '${params.projectId}'::uuid
    and ts >= '${params.from.toISOString()}'::timestamptz and ts < '${params.to.toISOString()}'::timestamptz and ${NOT_PLAYGROUND}`;
  const q = `copy (select ${COPY_COLUMNS} from events where ${where} and kind in ('llm', 'tool')) to stdout (format binary)`;
  // A connection of its own: postgres.js pipelines other queries onto busy connections, and one
  // queued behind a COPY stream waited until a timeout (seen in the findings API test).
  const conn = await client.reserve();
  try {
    // Progress is the share of the window's LLM calls parsed: rows come unordered, so only a count says how far along.
    let total = 0;
    if (params.onProgress) {
      const rows = (await conn.unsafe(`select count(*)::float8 as n from events where ${where} and kind = 'llm'`)) as { n: number }[];
      total = rows[0]?.n ?? 0;
      aborted(params.signal);
    }
    // Columns sized once from the count, else the planner's estimate (a millisecond): growing them
    // by doubling copied a million-row load's columns eight times (a tenth of the load's profile).
    builder.reserveLlm(total > 0 ? total : Math.min(MAX_RESERVE, await estimatedRows(conn, `select 1 from events where ${where} and kind = 'llm'`)));
    await copyOn(conn, q, builder, params, total);
  } finally {
    conn.release();
  }
}

/** An estimate is only a size hint: past this many rows the columns grow as they fill. */
const MAX_RESERVE = 2_000_000;

/** The planner's row estimate for `select` (0 when there is none). */
async function estimatedRows(conn: PostgresJsReserved, select: string): Promise<number> {
  const rows = (await conn.unsafe(`explain (format json) ${select}`)) as { "QUERY PLAN": [{ Plan: { "Plan Rows": number } }] }[];
  const n = rows[0]?.["QUERY PLAN"]?.[0]?.Plan?.["Plan Rows"];
  return typeof n === "number" && Number.isFinite(n) ? Math.max(0, Math.round(n)) : 0;
}

async function copyOn(client: PostgresJsReserved, q: string, builder: TrafficBuilder, params: LoadTrafficParams, total: number): Promise<void> {
  const query = client.unsafe(q);
  const reader = new CopyBinaryReader(builder);
  const stream = (await query.readable()) as AsyncIterable<Uint8Array>;
  const { signal } = params;
  // Pulled chunk by chunk. On abort the server is asked to cancel and the rest is drained
  // unparsed until it stops, so the connection goes back to the pool out of COPY mode.
  let cancelled = false;
  try {
    for await (const chunk of stream) {
      if (signal?.aborted && !cancelled) {
        cancelled = true;
        query.cancel();
      }
      if (!cancelled) {
        reader.push(chunk);
        if (total > 0) params.onProgress?.(Math.min(1, builder.llmCount / total));
      }
    }
  } catch (err) {
    if (!cancelled) {
      query.cancel();
      throw err;
    }
  } finally {
    // postgres.js pauses the socket when the stream's buffer is full and resumes it only from the
    // stream's _read; when the last rows, CopyDone and ReadyForQuery came in one socket chunk the
    // stream ends with the socket still paused, and the next query on that connection hangs
    // (seen in the findings API test). Resume it ourselves.
    (stream as unknown as { _read?: () => void })._read?.();
  }
  await Promise.resolve(query).catch(() => undefined);
  aborted(signal);
  reader.end();
}

/**
 * A project's events that started in [from, to), columnar (see Traffic). On Postgres a binary
 * COPY stream parsed straight into the columns (see CopyBinaryReader; measured against the plain
 * select in scripts/bench-advisor-load.ts); on PGlite (in-process, small installs) one array
 * query. Rows arrive unordered (no sort on the server) and the builder sorts them by time.
 */
export async function loadTraffic(db: Db, params: LoadTrafficParams): Promise<Traffic> {
  const { projectId, from, to, signal } = params;
  aborted(signal);
  const builder = new TrafficBuilder({ projectId, fromMs: from.getTime(), toMs: to.getTime() }, 4096, params.dictionaries);
  const client = (db as unknown as { $client?: unknown }).$client;
  if (client && typeof (client as Partial<PostgresJsCopy>).unsafe === "function") {
    await copyInto(client as PostgresJsCopy, builder, params);
  } else if (client && typeof (client as Partial<PgliteClient>).query === "function") {
    const sink = rowSink(builder);
    const { rows } = await (client as PgliteClient).query(SELECT, [projectId, from.toISOString(), to.toISOString()], { rowMode: "array" });
    aborted(signal);
    for (const r of rows) sink(r);
  } else {
    throw new Error("loadTraffic: unknown database client");
  }
  aborted(signal);
  params.onProgress?.(1);
  const traffic = builder.finish();
  traffic.stamp = stampOfRows(traffic, allRows(traffic));
  return traffic;
}

/**
 * The window's stamp as it stands now (see TrafficStamp): the same rows the loader reads, counted
 * in one aggregate, which is about a tenth of a load's time.
 */
export async function windowStamp(db: Db, params: Pick<LoadTrafficParams, "projectId" | "from" | "to">): Promise<TrafficStamp> {
  const rows = rowsOf<{ rows: number; last_received_us: number; llm_cost_nano: number; llm_unpriced: number }>(
    await db.execute(sql`select count(*)::float8 as rows,
      coalesce((extract(epoch from max(received_at)) * 1000000)::float8, 0) as last_received_us,
      coalesce(sum(cost_nano_usd) filter (where kind = 'llm'), 0)::float8 as llm_cost_nano,
      (count(*) filter (where kind = 'llm' and cost_source = 'unpriced'))::float8 as llm_unpriced
      from events where project_id = ${params.projectId}::uuid and ts >= ${params.from.toISOString()}::timestamptz
      and ts < ${params.to.toISOString()}::timestamptz and kind in ('llm', 'tool') and ${sql.raw(NOT_PLAYGROUND)}`),
  );
  const r = rows[0]!;
  return { rows: Number(r.rows), lastReceivedUs: Number(r.last_received_us), llmCostNano: Number(r.llm_cost_nano), llmUnpriced: Number(r.llm_unpriced) };
}
