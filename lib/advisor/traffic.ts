import type { EventStatus, ResponseCacheStatus } from "../events/event-enums";
import { EVENT_STATUSES, RESPONSE_CACHE_STATUSES } from "../events/event-enums";

/**
 * A project's recorded traffic for one window, columnar, as the advisor's findings and the
 * what-if replay read it. One row per event in time order (`tsMs` ascending, ties in arrival order), one
 * typed array per measure, strings interned into dictionaries so a million events fit in tens of
 * MB and a pass over a column is a tight loop. Pure: safe in the browser.
 *
 * Semantics (checked in lib/gateway/call-event.ts, lib/sdk/pitwall.ts, lib/otel): `ts` is the
 * start of the call (the request went out), `latencyMs` is the whole call until the last byte,
 * `ttftMs` runs from the same start to the first content delta and is only known for streamed
 * calls (NaN otherwise). So a call ends at `tsMs + latencyMs`.
 */

/** Index into a dictionary; NONE stands for a null value. */
export const NONE = -1;

/**
 * Interned strings: `values[i]` is the string whose code is i. `at(i)`, where a dictionary has it,
 * makes that one string without the rest (a loaded window's 170K span ids are read for five examples).
 */
export type Dictionary = { readonly values: string[]; at?(code: number): string | undefined };

/** Strings read by row, one per row (a plain string[] is one). */
export type IdColumn = { readonly length: number; at(i: number): string | undefined };

export type LlmCalls = {
  length: number;
  /** Event ids (the events view links by id). */
  id: IdColumn;
  /** Start of the call, ms since the epoch. */
  tsMs: Float64Array;
  /** Codes into `routes`, `agents`, `sessions`, `traces`, `spans`, `models`, `users`, `tagSets`, `hashes`. */
  route: Int32Array;
  agent: Int32Array;
  session: Int32Array;
  trace: Int32Array;
  /** The enclosing tool span (SDK) or gateway parent, a code into `spans`. */
  parent: Int32Array;
  model: Int32Array;
  requestedModel: Int32Array;
  user: Int32Array;
  tagSet: Int32Array;
  promptHash: Int32Array;
  systemHash: Int32Array;
  /** Index into EVENT_STATUSES. */
  status: Uint8Array;
  /** Index into RESPONSE_CACHE_STATUSES. */
  responseCache: Uint8Array;
  /** 1 when the call was streamed. */
  streamed: Uint8Array;
  /** 1 when the cost is "unpriced" (no price for the model): the cost column is then 0, not a cost. */
  unpriced: Uint8Array;
  /** NaN when not recorded. */
  latencyMs: Float64Array;
  ttftMs: Float64Array;
  inputTokens: Uint32Array;
  outputTokens: Uint32Array;
  cacheReadTokens: Uint32Array;
  cacheWrite5mTokens: Uint32Array;
  cacheWrite1hTokens: Uint32Array;
  /** NONE when not recorded. */
  systemTokens: Int32Array;
  messageCount: Int32Array;
  toolCount: Int32Array;
  policyVersion: Int32Array;
  /** The response-cache TTL the caller asked for (x-pitwall-cache-ttl, 0 for no-store), NONE when it asked none. */
  requestedCacheTtlSec: Int32Array;
  /** Integer nano-USD held in a double: exact below 2^53 nano-USD (about $9M per call). */
  costNano: Float64Array;
  /** When the event was stored (`received_at`), µs since the epoch: a part of the window's stamp can be summed from the rows (traffic-extend.ts). */
  receivedUs: Float64Array;
};

export type ToolSpans = {
  length: number;
  /** The span's own id, a code into `spans` (LLM calls and other tools point at it as parent). */
  span: Int32Array;
  tsMs: Float64Array;
  latencyMs: Float64Array;
  trace: Int32Array;
  parent: Int32Array;
  /** `metadata.name`, a code into `toolNames`. */
  name: Int32Array;
  agent: Int32Array;
  session: Int32Array;
  status: Uint8Array;
  /** As LlmCalls.receivedUs. */
  receivedUs: Float64Array;
};

/**
 * What a loaded window held: its rows (LLM calls and tool spans), the latest `received_at` among
 * them (µs since the epoch), the LLM calls' summed cost and how many of them are unpriced. Events
 * are only ever added (received now), deleted (retention) or repriced (the cost, or only whether
 * it is priced, as when a $0 price is added), so a window whose stamp reads the same again still
 * holds the same events (see traffic-cache.ts).
 */
export type TrafficStamp = { rows: number; lastReceivedUs: number; llmCostNano: number; llmUnpriced: number };

/** Rows [from, to) of a Traffic's LLM calls and of its tool spans. */
export type RowRanges = { llm: [number, number]; tools: [number, number] };

/** All of a Traffic's rows. */
export function allRows(t: Traffic): RowRanges {
  return { llm: [0, t.llm.length], tools: [0, t.tools.length] };
}

/** What windowStamp would read for those rows alone, summed from the rows themselves. */
export function stampOfRows(t: Traffic, rows: RowRanges): TrafficStamp {
  const [a, b] = rows.llm;
  const [c, d] = rows.tools;
  let lastReceivedUs = 0;
  let llmCostNano = 0;
  let llmUnpriced = 0;
  for (let i = a; i < b; i++) {
    llmCostNano += t.llm.costNano[i]!;
    llmUnpriced += t.llm.unpriced[i]!;
    if (t.llm.receivedUs[i]! > lastReceivedUs) lastReceivedUs = t.llm.receivedUs[i]!;
  }
  for (let i = c; i < d; i++) if (t.tools.receivedUs[i]! > lastReceivedUs) lastReceivedUs = t.tools.receivedUs[i]!;
  return { rows: b - a + (d - c), lastReceivedUs, llmCostNano, llmUnpriced };
}

/** The stamp of two disjoint sets of rows together. */
export function addStamps(a: TrafficStamp, b: TrafficStamp): TrafficStamp {
  return { rows: a.rows + b.rows, lastReceivedUs: Math.max(a.lastReceivedUs, b.lastReceivedUs), llmCostNano: a.llmCostNano + b.llmCostNano, llmUnpriced: a.llmUnpriced + b.llmUnpriced };
}

export function sameStamp(a: TrafficStamp, b: TrafficStamp): boolean {
  return a.rows === b.rows && a.lastReceivedUs === b.lastReceivedUs && a.llmCostNano === b.llmCostNano && a.llmUnpriced === b.llmUnpriced;
}

export type Traffic = {
  projectId: string;
  fromMs: number;
  toMs: number;
  llm: LlmCalls;
  tools: ToolSpans;
  routes: Dictionary;
  agents: Dictionary;
  sessions: Dictionary;
  traces: Dictionary;
  /** Tool span ids and parent ids (one space: a parent id is some span's id). */
  spans: Dictionary;
  models: Dictionary;
  users: Dictionary;
  hashes: Dictionary;
  toolNames: Dictionary;
  /** Each distinct tags object once; `tagSets.values[i]` is its canonical JSON, `tags[i]` the object. */
  tagSets: Dictionary;
  tags: Record<string, string>[];
  /** Set by the database loader (a Traffic built by hand has none, and is never cached). */
  stamp?: TrafficStamp;
};

export const STATUS_CODE: Readonly<Record<EventStatus, number>> = Object.fromEntries(EVENT_STATUSES.map((s, i) => [s, i])) as Record<EventStatus, number>;
export const RESPONSE_CACHE_CODE: Readonly<Record<ResponseCacheStatus, number>> = Object.fromEntries(
  RESPONSE_CACHE_STATUSES.map((s, i) => [s, i]),
) as Record<ResponseCacheStatus, number>;

/** The string a code stands for, or null. */
export function decode(dict: Dictionary, code: number): string | null {
  return code === NONE ? null : (dict.values[code] ?? null);
}

/** decode for a few codes of a large dictionary (examples): the others stay bytes where the dictionary can. */
export function decodeOne(dict: Dictionary, code: number): string | null {
  if (code === NONE) return null;
  return (dict.at ? dict.at(code) : dict.values[code]) ?? null;
}

/** Prompt tokens of call i as Anthropic counts them (input excludes cached tokens). */
export function promptTokensAt(llm: LlmCalls, i: number): number {
  return llm.inputTokens[i]! + llm.cacheReadTokens[i]! + llm.cacheWrite5mTokens[i]! + llm.cacheWrite1hTokens[i]!;
}

/**
 * The caller skipped the response-cache read: Cache-Control no-cache or no-store (the gateway
 * records "bypass"), or a TTL of 0 asked (x-pitwall-cache-ttl: 0; no-store is recorded so too),
 * which turns the cache off for the call under any policy. Such a call is never answered from the cache.
 */
export function skipsCacheRead(llm: LlmCalls, i: number): boolean {
  return llm.responseCache[i] === RESPONSE_CACHE_CODE.bypass || llm.requestedCacheTtlSec[i] === 0;
}

/** The caller asked for a TTL of 0 (x-pitwall-cache-ttl: 0, or no-store): its answer is not stored. A no-cache call's is. */
export function refusesCacheWrite(llm: LlmCalls, i: number): boolean {
  return llm.requestedCacheTtlSec[i] === 0;
}
