import type { EventRow } from "@/db/schema";
import { minCacheTokens } from "../../simulator/cache-minimums";
import { NON_INTERACTIVE_TAG, type RouteManifest } from "./manifest";

/** The event fields the measurement reads: one row type, derived from the table. */
export type MeasuredEvent = Pick<
  EventRow,
  "kind" | "route" | "model" | "sessionId" | "traceId" | "parentId" | "ts" | "latencyMs" | "streamed" | "inputTokens" | "outputTokens" | "cacheReadTokens" | "cacheWrite5mTokens" | "cacheWrite1hTokens" | "promptHash" | "systemTokens" | "tags"
>;

/**
 * What the recorded traffic of one route shows, in the manifest's terms: the manifest's own fields
 * (so a renamed one fails here too), plus what only a measurement has.
 */
export type MeasuredRoute = Pick<
  RouteManifest,
  | "route"
  | "repeatShare"
  | "uncachedSystemShare"
  | "streamedShare"
  | "outputTokens"
  | "turnsPerSession"
  | "contextGrowthPerTurn"
  | "maxContextTokens"
  | "toolsPerTrace"
  | "toolMs"
  | "shortSimpleShare"
> & {
  requests: number;
  models: string[];
  /** The median system prompt size (null without calls to take it from). */
  systemTokens: number | null;
  /** Tool spans per trace and their duration are medians; this is the share of traces run one after another. */
  sequentialTraceShare: number;
  /** Share of the route's traces whose tool spans all share one parent. */
  oneParentShare: number;
  nonInteractiveShare: number;
};

/** Short and simple, as the manifest means it: under 1K input tokens and under 100 output tokens. */
export const SHORT_INPUT_TOKENS = 1_000;
export const SHORT_OUTPUT_TOKENS = 100;

const promptTokens = (e: MeasuredEvent) => e.inputTokens + e.cacheReadTokens + e.cacheWrite5mTokens + e.cacheWrite1hTokens;

/**
 * Measures the planted rates from recorded events (LLM calls from the gateway, tool spans from
 * the SDK). Tool durations are divided by `latencyScale` to compare with the manifest's
 * uncompressed figures.
 */
export function measureWorkload(rows: readonly MeasuredEvent[], opts: { latencyScale: number }): Map<string, MeasuredRoute> {
  const llm = rows.filter((e) => e.kind === "llm");
  const tools = rows.filter((e) => e.kind === "tool");
  const routeOfTrace = new Map<string, string>();
  for (const e of llm) if (e.traceId && e.route) routeOfTrace.set(e.traceId, e.route);
  const out = new Map<string, MeasuredRoute>();
  for (const route of new Set(llm.map((e) => e.route ?? ""))) {
    const calls = llm.filter((e) => (e.route ?? "") === route).sort((a, b) => a.ts.getTime() - b.ts.getTime());
    const n = calls.length;
    const share = (pred: (e: MeasuredEvent) => boolean) => calls.filter(pred).length / n;
    const hashes = new Set(calls.map((e) => e.promptHash));
    const model = calls[0]!.model ?? "";
    const minimum = minCacheTokens(model);

    const sessions = groupBy(calls, (e) => e.sessionId ?? "");
    const growth: number[] = [];
    let maxContext = 0;
    for (const session of sessions.values()) {
      for (let i = 0; i < session.length; i++) {
        maxContext = Math.max(maxContext, promptTokens(session[i]!));
        if (i > 0) growth.push(promptTokens(session[i]!) - promptTokens(session[i - 1]!));
      }
    }

    const traces = groupBy(
      tools.filter((t) => t.traceId && routeOfTrace.get(t.traceId) === route),
      (t) => t.traceId!,
    );
    const perTrace = [...traces.values()];
    out.set(route, {
      route,
      requests: n,
      models: [...new Set(calls.map((e) => e.model ?? ""))].sort(),
      repeatShare: (n - hashes.size) / n,
      systemTokens: median(calls.map((e) => e.systemTokens ?? 0)),
      uncachedSystemShare: share((e) => (e.systemTokens ?? 0) >= minimum && e.cacheReadTokens === 0 && e.cacheWrite5mTokens === 0 && e.cacheWrite1hTokens === 0),
      streamedShare: share((e) => e.streamed),
      outputTokens: median(calls.map((e) => e.outputTokens)) ?? 0,
      turnsPerSession: median([...sessions.values()].map((s) => s.length)) ?? 0,
      contextGrowthPerTurn: median(growth) ?? 0,
      maxContextTokens: maxContext,
      toolsPerTrace: median(perTrace.map((t) => t.length)) ?? 0,
      toolMs: (median(tools.filter((t) => t.traceId && routeOfTrace.get(t.traceId) === route).map((t) => t.latencyMs ?? 0)) ?? 0) / opts.latencyScale,
      sequentialTraceShare: perTrace.length === 0 ? 0 : perTrace.filter(runsOneAfterAnother).length / perTrace.length,
      oneParentShare: perTrace.length === 0 ? 0 : perTrace.filter((t) => new Set(t.map((s) => s.parentId)).size === 1).length / perTrace.length,
      shortSimpleShare: share((e) => promptTokens(e) < SHORT_INPUT_TOKENS && e.outputTokens < SHORT_OUTPUT_TOKENS),
      nonInteractiveShare: share((e) => e.tags[NON_INTERACTIVE_TAG.key] === NON_INTERACTIVE_TAG.value),
    });
  }
  return out;
}

/** No two spans overlap by more than a millisecond (timestamps are ms; durations float). */
function runsOneAfterAnother(spans: MeasuredEvent[]): boolean {
  if (spans.length < 2) return false;
  const sorted = [...spans].sort((a, b) => a.ts.getTime() - b.ts.getTime());
  for (let i = 1; i < sorted.length; i++) {
    const prevEnd = sorted[i - 1]!.ts.getTime() + (sorted[i - 1]!.latencyMs ?? 0);
    if (sorted[i]!.ts.getTime() < prevEnd - 1) return false;
  }
  return true;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The manifest figures a measured route must match (within `tolerance`, relative), by field. A
 * tool span is timed by the SDK around the tool's sleep, so it also holds the event loop's
 * scheduling delay: `toolLagMs` (real ms, e.g. the run's p99 event-loop delay) is allowed on top.
 */
export function compareWithManifest(measured: MeasuredRoute, planted: RouteManifest, opts: { tolerance?: number; toolLagMs?: number; latencyScale?: number } = {}): string[] {
  const tolerance = opts.tolerance ?? 0.1;
  const problems: string[] = [];
  const near = (field: string, got: number, want: number, slack = 0) => {
    const ok = want === 0 ? got === 0 : got >= want * (1 - tolerance) && got <= want * (1 + tolerance) + slack;
    if (!ok) problems.push(`${planted.route}.${field}: measured ${round(got)}, planted ${want}`);
  };
  if (measured.models.join(",") !== planted.model) problems.push(`${planted.route}.model: measured ${measured.models.join(",")}, planted ${planted.model}`);
  near("repeatShare", measured.repeatShare, planted.repeatShare);
  near("uncachedSystemShare", measured.uncachedSystemShare, planted.uncachedSystemShare);
  near("systemTokens", measured.systemTokens ?? 0, planted.systemTokens);
  near("streamedShare", measured.streamedShare, planted.streamedShare);
  near("outputTokens", measured.outputTokens, planted.outputTokens);
  near("turnsPerSession", measured.turnsPerSession, planted.turnsPerSession);
  near("contextGrowthPerTurn", measured.contextGrowthPerTurn, planted.contextGrowthPerTurn);
  near("maxContextTokens", measured.maxContextTokens, planted.maxContextTokens);
  near("toolsPerTrace", measured.toolsPerTrace, planted.toolsPerTrace);
  near("toolMs", measured.toolMs, planted.toolMs, (opts.toolLagMs ?? 0) / (opts.latencyScale ?? 1));
  near("sequentialTraceShare", measured.sequentialTraceShare, planted.toolsPerTrace > 1 && planted.toolsSequential ? 1 : 0);
  near("oneParentShare", measured.oneParentShare, planted.toolsPerTrace > 0 ? 1 : 0);
  near("shortSimpleShare", measured.shortSimpleShare, planted.shortSimpleShare);
  near("nonInteractiveShare", measured.nonInteractiveShare, planted.interactive ? 0 : 1);
  return problems;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
