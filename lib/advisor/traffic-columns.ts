import type { EventRow } from "@/db/schema";
import { COST_SOURCES, RESPONSE_CACHE_STATUSES, type CostSource, type ResponseCacheStatus } from "../events/event-enums";

/**
 * A project's events over a window, column by column: what the findings and the replay read.
 * Columnar so 1M events fit in typed arrays (a few hundred MB of objects otherwise) and a pass over
 * one measure touches one array. Rows are in time order (ts ascending), LLM calls and tool calls
 * together. Strings repeat (routes, models, hashes), so each is a dictionary plus codes; -1 = null.
 * Numbers that may be null (latency, TTFT, system tokens, counts) are NaN when null.
 */
export type StringColumn = { dict: string[]; codes: Int32Array };

export const KIND_LLM = 0;
export const KIND_TOOL = 1;
export const STATUS_OK = 0;
export const STATUS_ERROR = 1;
export const STATUS_ABORTED = 2;

export type Traffic = {
  projectId: string;
  from: Date;
  to: Date;
  length: number;
  id: string[];
  /** Epoch milliseconds, ascending. */
  ts: Float64Array;
  /** KIND_LLM | KIND_TOOL */
  kind: Uint8Array;
  /** STATUS_OK | STATUS_ERROR | STATUS_ABORTED */
  status: Uint8Array;
  route: StringColumn;
  agent: StringColumn;
  model: StringColumn;
  requestedModel: StringColumn;
  userId: StringColumn;
  sessionId: StringColumn;
  traceId: StringColumn;
  parentId: StringColumn;
  promptHash: StringColumn;
  systemHash: StringColumn;
  /** Each distinct tag set once; codes index it (never -1: no tags is `{}`). */
  tags: { dict: Record<string, string>[]; codes: Int32Array };
  latencyMs: Float64Array;
  ttftMs: Float64Array;
  streamed: Uint8Array;
  inputTokens: Int32Array;
  outputTokens: Int32Array;
  cacheReadTokens: Int32Array;
  cacheWrite5mTokens: Int32Array;
  cacheWrite1hTokens: Int32Array;
  /** Index into RESPONSE_CACHE_STATUSES. */
  responseCache: Uint8Array;
  /** Nano-USD as a double: exact up to 2^53 nano-USD (~$9M) per event. */
  costNanoUsd: Float64Array;
  /** Index into COST_SOURCES ("unpriced": no price row covered the call, its cost is not a price). */
  costSource: Uint8Array;
  systemTokens: Float64Array;
  messageCount: Float64Array;
  toolCount: Float64Array;
  policyVersion: Float64Array;
};

export const RESPONSE_CACHE_HIT = RESPONSE_CACHE_STATUSES.indexOf("hit");
export const COST_UNPRICED = COST_SOURCES.indexOf("unpriced");

/** The string at row i of a column, or null. */
export function str(col: StringColumn, i: number): string | null {
  const c = col.codes[i]!;
  return c < 0 ? null : col.dict[c]!;
}

/** Builds a dictionary column incrementally (used by loaders and in-memory fixtures). */
export class StringColumnBuilder {
  private readonly index = new Map<string, number>();
  readonly dict: string[] = [];
  readonly codes: Int32Array;
  constructor(length: number) {
    this.codes = new Int32Array(length);
  }
  set(i: number, value: string | null | undefined): void {
    if (value == null) {
      this.codes[i] = -1;
      return;
    }
    let c = this.index.get(value);
    if (c === undefined) {
      c = this.dict.length;
      this.dict.push(value);
      this.index.set(value, c);
    }
    this.codes[i] = c;
  }
  build(): StringColumn {
    return { dict: this.dict, codes: this.codes };
  }
}

/** The fields of an event the columns hold; a row from the events table fits. */
export type TrafficRow = Pick<
  EventRow,
  | "id"
  | "ts"
  | "kind"
  | "status"
  | "route"
  | "agent"
  | "model"
  | "requestedModel"
  | "userId"
  | "sessionId"
  | "traceId"
  | "parentId"
  | "promptHash"
  | "systemHash"
  | "tags"
  | "latencyMs"
  | "ttftMs"
  | "streamed"
  | "inputTokens"
  | "outputTokens"
  | "cacheReadTokens"
  | "cacheWrite5mTokens"
  | "cacheWrite1hTokens"
  | "responseCache"
  | "costNanoUsd"
  | "costSource"
  | "systemTokens"
  | "messageCount"
  | "toolCount"
  | "policyVersion"
>;

const nanOr = (v: number | null | undefined) => (v == null ? NaN : v);
const STATUS_CODES = { ok: STATUS_OK, error: STATUS_ERROR, aborted: STATUS_ABORTED } as const;

/** Columns from rows (sorted by ts here, stable), for tests and small windows. */
export function trafficFromRows(params: { projectId: string; from: Date; to: Date }, input: readonly TrafficRow[]): Traffic {
  const rows = [...input].sort((a, b) => a.ts.getTime() - b.ts.getTime());
  const n = rows.length;
  const cols = {
    route: new StringColumnBuilder(n),
    agent: new StringColumnBuilder(n),
    model: new StringColumnBuilder(n),
    requestedModel: new StringColumnBuilder(n),
    userId: new StringColumnBuilder(n),
    sessionId: new StringColumnBuilder(n),
    traceId: new StringColumnBuilder(n),
    parentId: new StringColumnBuilder(n),
    promptHash: new StringColumnBuilder(n),
    systemHash: new StringColumnBuilder(n),
  };
  const tagIndex = new Map<string, number>();
  const tagDict: Record<string, string>[] = [];
  const t: Traffic = {
    ...params,
    length: n,
    id: new Array<string>(n),
    ts: new Float64Array(n),
    kind: new Uint8Array(n),
    status: new Uint8Array(n),
    route: cols.route.build(),
    agent: cols.agent.build(),
    model: cols.model.build(),
    requestedModel: cols.requestedModel.build(),
    userId: cols.userId.build(),
    sessionId: cols.sessionId.build(),
    traceId: cols.traceId.build(),
    parentId: cols.parentId.build(),
    promptHash: cols.promptHash.build(),
    systemHash: cols.systemHash.build(),
    tags: { dict: tagDict, codes: new Int32Array(n) },
    latencyMs: new Float64Array(n),
    ttftMs: new Float64Array(n),
    streamed: new Uint8Array(n),
    inputTokens: new Int32Array(n),
    outputTokens: new Int32Array(n),
    cacheReadTokens: new Int32Array(n),
    cacheWrite5mTokens: new Int32Array(n),
    cacheWrite1hTokens: new Int32Array(n),
    responseCache: new Uint8Array(n),
    costNanoUsd: new Float64Array(n),
    costSource: new Uint8Array(n),
    systemTokens: new Float64Array(n),
    messageCount: new Float64Array(n),
    toolCount: new Float64Array(n),
    policyVersion: new Float64Array(n),
  };
  rows.forEach((r, i) => {
    t.id[i] = r.id;
    t.ts[i] = r.ts.getTime();
    t.kind[i] = r.kind === "tool" ? KIND_TOOL : KIND_LLM;
    t.status[i] = STATUS_CODES[r.status];
    for (const [k, b] of Object.entries(cols)) b.set(i, r[k as keyof typeof cols]);
    const tagKey = JSON.stringify(Object.entries(r.tags ?? {}).sort());
    let tc = tagIndex.get(tagKey);
    if (tc === undefined) {
      tc = tagDict.length;
      tagDict.push({ ...r.tags });
      tagIndex.set(tagKey, tc);
    }
    t.tags.codes[i] = tc;
    t.latencyMs[i] = nanOr(r.latencyMs);
    t.ttftMs[i] = nanOr(r.ttftMs);
    t.streamed[i] = r.streamed ? 1 : 0;
    t.inputTokens[i] = r.inputTokens;
    t.outputTokens[i] = r.outputTokens;
    t.cacheReadTokens[i] = r.cacheReadTokens;
    t.cacheWrite5mTokens[i] = r.cacheWrite5mTokens;
    t.cacheWrite1hTokens[i] = r.cacheWrite1hTokens;
    t.responseCache[i] = RESPONSE_CACHE_STATUSES.indexOf(r.responseCache as ResponseCacheStatus);
    t.costNanoUsd[i] = Number(r.costNanoUsd);
    t.costSource[i] = COST_SOURCES.indexOf(r.costSource as CostSource);
    t.systemTokens[i] = nanOr(r.systemTokens);
    t.messageCount[i] = nanOr(r.messageCount);
    t.toolCount[i] = nanOr(r.toolCount);
    t.policyVersion[i] = nanOr(r.policyVersion);
  });
  return t;
}
