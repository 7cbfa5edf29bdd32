import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import type { CostSource, EventKind } from "../events/event-enums";
import { AppError } from "../errors";
import { countUnpriced } from "../metrics/event-cost";
import { nanoToUsdRounded, nanoToUsdString } from "../metrics/money";
import { resolveRange, type RangePreset } from "../metrics/time-range";
import { inputGrowth, type InputGrowth } from "./session-growth";
import { buildWaterfall, type Waterfall } from "./waterfall";

/** The most calls one trace page shows; a longer trace says "N of M". */
export const MAX_TRACE_EVENTS = 2000;

export type TraceEvent = {
  id: string;
  parentId: string | null;
  kind: EventKind;
  name: string;
  ts: string;
  latencyMs: number;
  ttftMs: number | null;
  status: string;
  errorType: string | null;
  model: string | null;
  agent: string | null;
  route: string | null;
  sessionId: string | null;
  inputTokens: number; // cached and uncached: the prompt's size
  outputTokens: number;
  costUsd: number;
  costSource: CostSource;
};

export type TraceDetail = {
  traceId: string;
  total: number;
  events: TraceEvent[];
  waterfall: Waterfall;
  /** `costUsd` sums the priced calls; `unpricedCalls` says how many LLM calls it leaves out. */
  totals: { llmCalls: number; toolCalls: number; tokens: number; costUsd: number; costUsdExact: string; unpricedCalls: number };
};

type TraceRow = Omit<TraceEvent, "ts" | "costUsd" | "latencyMs"> & { ts: string; latencyMs: number | null; costNano: string; total: number };

/** Every LLM and tool call of one trace in a project, laid out as a waterfall. */
export async function getTrace(db: Db, projectId: string, traceId: string): Promise<TraceDetail> {
  const result = await db.execute(sql`
    select id, parent_id as "parentId", kind,
           coalesce(case when kind = 'tool' then metadata->>'name' end, model, kind) as name,
           to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ts,
           latency_ms as "latencyMs", ttft_ms as "ttftMs", status, error_type as "errorType", model, agent, route,
           session_id as "sessionId",
           input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens as "inputTokens",
           output_tokens as "outputTokens", cost_nano_usd::text as "costNano", cost_source as "costSource",
           count(*) over ()::int as total
    from events
    where project_id = ${projectId}::uuid and trace_id = ${traceId}
    order by ts, id
    limit ${MAX_TRACE_EVENTS}`);
  const rows = rowsOf<TraceRow>(result);
  if (rows.length === 0) throw new AppError("not_found:trace", "No events with this trace id in this project.");
  let costNano = 0n;
  const events: TraceEvent[] = rows.map(({ costNano: c, total: _total, ...r }) => {
    costNano += BigInt(c);
    return { ...r, latencyMs: r.latencyMs ?? 0, inputTokens: Number(r.inputTokens), outputTokens: Number(r.outputTokens), costUsd: nanoToUsdRounded(BigInt(c)) };
  });
  const waterfall = buildWaterfall(
    events.map((e) => ({ id: e.id, parentId: e.parentId, kind: e.kind, name: e.name, startMs: Date.parse(e.ts), durationMs: e.latencyMs, status: e.status })),
  );
  return {
    traceId,
    total: rows[0]!.total,
    events,
    waterfall,
    totals: {
      llmCalls: events.filter((e) => e.kind === "llm").length,
      toolCalls: events.filter((e) => e.kind === "tool").length,
      tokens: events.reduce((a, e) => a + e.inputTokens + e.outputTokens, 0),
      costUsd: nanoToUsdRounded(costNano),
      costUsdExact: nanoToUsdString(costNano),
      unpricedCalls: countUnpriced(events),
    },
  };
}

export type SessionItem = {
  sessionId: string;
  agent: string | null;
  firstTs: string;
  lastTs: string;
  llmCalls: number;
  toolCalls: number;
  traces: number;
  tokens: number;
  costUsd: number;
  costUsdExact: string;
  inputByTurn: number[];
  growth: InputGrowth;
};

export type SessionPage = { from: string; to: string; total: number; sessions: SessionItem[] };

/** How many turns of a session the growth line keeps. */
export const MAX_TURNS = 100;

type SessionRow = Omit<SessionItem, "costUsd" | "costUsdExact" | "growth" | "tokens" | "inputByTurn"> & {
  tokens: string;
  costNano: string;
  inputByTurn: (number | string)[] | string | null;
  total: number;
};

/** Sessions active in the range, most recent first: calls, tokens, cost and input growth by turn. */
export async function listSessions(
  db: Db,
  projectId: string,
  p: { range?: RangePreset; from?: string; to?: string; agent?: string; limit: number },
): Promise<SessionPage> {
  const range = resolveRange(p);
  const from = new Date(range.fromMs).toISOString();
  const to = new Date(range.toMs).toISOString();
  const agentFilter = p.agent ? sql`and agent = ${p.agent}` : sql``;
  const result = await db.execute(sql`
    select session_id as "sessionId", min(agent) as agent,
           to_char(min(ts) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "firstTs",
           to_char(max(ts) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "lastTs",
           (count(*) filter (where kind = 'llm'))::int as "llmCalls",
           (count(*) filter (where kind = 'tool'))::int as "toolCalls",
           count(distinct trace_id)::int as traces,
           sum(input_tokens + output_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens)::text as tokens,
           sum(cost_nano_usd)::text as "costNano",
           (array_agg(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens order by ts, id)
              filter (where kind = 'llm'))[1:${MAX_TURNS}] as "inputByTurn",
           count(*) over ()::int as total
    from events
    where project_id = ${projectId}::uuid and session_id is not null
      and ts >= ${from}::timestamptz and ts < ${to}::timestamptz ${agentFilter}
    group by session_id
    order by max(ts) desc, session_id
    limit ${p.limit}`);
  const rows = rowsOf<SessionRow>(result);
  return {
    from,
    to,
    total: rows[0]?.total ?? 0,
    sessions: rows.map(({ costNano, total: _total, tokens, inputByTurn, ...r }) => {
      const turns = parseIntArray(inputByTurn);
      return { ...r, tokens: Number(tokens), costUsd: nanoToUsdRounded(BigInt(costNano)), costUsdExact: nanoToUsdString(BigInt(costNano)), inputByTurn: turns, growth: inputGrowth(turns) };
    }),
  };
}

/** postgres.js returns int arrays as arrays; PGlite may hand back the text form "{1,2}". */
function parseIntArray(v: (number | string)[] | string | null): number[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v.map(Number);
  return v.replace(/[{}]/g, "").split(",").filter(Boolean).map(Number);
}
