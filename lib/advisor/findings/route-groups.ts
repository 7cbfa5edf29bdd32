import type { CachePolicy } from "../../policies/cache-policy-schema";
import type { PriceBook } from "../../pricing/compute-cost";
import { MIN_REQUESTS_PER_ROUTE, type Confidence, type Impact, type SkippedRoute } from "../finding-schema";
import { decode, decodeOne, NONE, RESPONSE_CACHE_CODE, STATUS_CODE, type Traffic } from "../traffic";
import { quantilesInPlace } from "../quantile";

/**
 * What every finding reads: the LLM calls of one route and agent, in time order, with the
 * window's length to turn totals into $ per day. Pure.
 */
export type RouteGroup = {
  route: string | null;
  agent: string | null;
  /** Row indices into traffic.llm, ascending (time order). */
  rows: number[];
  /** The recorded timings of `rows` (shared: copy with recordedTimings before editing). */
  before?: Timings;
  /** The same route's calls that reached the model (see modelCallsOf), made once. */
  modelCalls?: RouteGroup;
};

/**
 * The group's calls that reached the model: every row but the response cache's hits. A hit was
 * answered by the gateway from an earlier reply (0 tokens, $0, a few ms), so it says nothing
 * about what the model did: the findings about the model's work (prompt caching, right-sizing,
 * streaming, context growth, batch) and the timings they compare read these rows only.
 */
export function modelCallsOf(traffic: Traffic, g: RouteGroup): RouteGroup {
  g.modelCalls ??= { route: g.route, agent: g.agent, rows: g.rows.filter((i) => !isHit(traffic, i)) };
  return g.modelCalls;
}

/** The group's recorded timings, computed once; findings compare their "after" copy with it. */
export function beforeOf(ctx: FindingContext, g: RouteGroup): Timings {
  g.before ??= recordedTimings(ctx.traffic, g.rows);
  return g.before;
}

export type FindingContext = {
  traffic: Traffic;
  /** Per-model-code facts computed once per analysis (a million rows share a handful of models). */
  memo?: Map<string, unknown>;
  prices: PriceBook;
  /** The window's length in days (at least one minute's worth, so a short test window is no division by zero). */
  days: number;
  /** The project's slug, for links (playground). */
  projectSlug: string;
  /** The live response-cache policy: what a cache finding is measured against (absent: none live). */
  liveCache?: CachePolicy;
};

/** Below this share of a route's requests a fix is not worth a finding (and chance matches stay quiet). */
export const MIN_AFFECTED_SHARE = 0.05;
/** And at least this many calls, so a rate is a count, not an anecdote. */
export const MIN_AFFECTED = 10;

/**
 * The route/agent groups of the window's answered LLM calls (status ok; hits of the response
 * cache count, they are requests too, though only the response-cache finding reads them: see
 * modelCallsOf), and those left out for too few requests.
 */
export function routeGroups(traffic: Traffic): { groups: RouteGroup[]; skipped: SkippedRoute[] } {
  const t = traffic.llm;
  const byKey = new Map<string, RouteGroup>();
  for (let i = 0; i < t.length; i++) {
    if (t.status[i] !== STATUS_CODE.ok) continue;
    const key = `${t.route[i]}|${t.agent[i]}`;
    let g = byKey.get(key);
    if (!g) {
      g = { route: decode(traffic.routes, t.route[i]!), agent: decode(traffic.agents, t.agent[i]!), rows: [] };
      byKey.set(key, g);
    }
    g.rows.push(i);
  }
  const groups: RouteGroup[] = [];
  const skipped: SkippedRoute[] = [];
  for (const g of byKey.values()) {
    if (g.rows.length >= MIN_REQUESTS_PER_ROUTE) groups.push(g);
    else skipped.push({ route: g.route, agent: g.agent, requests: g.rows.length, reason: `not enough data: ${g.rows.length} requests, ${MIN_REQUESTS_PER_ROUTE} needed` });
  }
  return { groups, skipped };
}

/** `make()` once per analysis under `key`. */
export function memo<T>(ctx: FindingContext, key: string, make: () => T): T {
  ctx.memo ??= new Map();
  if (!ctx.memo.has(key)) ctx.memo.set(key, make());
  return ctx.memo.get(key) as T;
}

/** A fact of a model, by its code, computed once per analysis. */
export function perModel<T>(ctx: FindingContext, name: string, code: number, make: (model: string) => T): T {
  // Called per row: a map per fact by model code, no key string per call.
  const facts = memo(ctx, "perModel", () => new Map<string, Map<number, unknown>>());
  let byCode = facts.get(name);
  if (!byCode) facts.set(name, (byCode = new Map()));
  if (!byCode.has(code)) byCode.set(code, make(decode(ctx.traffic.models, code) ?? ""));
  return byCode.get(code) as T;
}

/**
 * Per-hash scratch state for a pass over rows, indexed by hash code (a Map of 300K hashes was most
 * of a million-row pass): `begin()` starts a pass, `has(h)` says whether h was set in this pass.
 * Shared per analysis; a pass must end before the next begins.
 */
export class HashScratch {
  readonly value: Float64Array;
  private readonly stamp: Uint32Array;
  private epoch = 0;
  constructor(size: number) {
    this.value = new Float64Array(size);
    this.stamp = new Uint32Array(size);
  }
  begin(): void {
    this.epoch++;
  }
  has(h: number): boolean {
    return this.stamp[h] === this.epoch;
  }
  set(h: number, v: number): void {
    this.stamp[h] = this.epoch;
    this.value[h] = v;
  }
}

/** The analysis' HashScratch, sized for every prompt and system hash code of the calls. */
export function hashScratch(ctx: FindingContext): HashScratch {
  return memo(ctx, "hashScratch", () => {
    const t = ctx.traffic.llm;
    let max = NONE;
    for (let i = 0; i < t.length; i++) {
      if (t.promptHash[i]! > max) max = t.promptHash[i]!;
      if (t.systemHash[i]! > max) max = t.systemHash[i]!;
    }
    return new HashScratch(max + 1);
  });
}

/** The p-th percentile (0..100, linear between ranks) of the finite values; NaN when there are none. */
export function percentile(values: ArrayLike<number>, p: number): number {
  return percentiles(values, [p])[0]!;
}

/** Several percentiles (0..100, ascending) of the finite values, over one copy (quantilesInPlace). */
export function percentiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
  const all = new Float64Array(values.length);
  let m = 0;
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (Number.isFinite(v)) all[m++] = v;
  }
  return quantilesInPlace(
    all.subarray(0, m),
    ps.map((p) => p / 100),
  ).map((q) => q ?? Number.NaN);
}

export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

/** What a user waits for: the TTFT of a streamed call, the whole call otherwise. */
export function perceivedAt(traffic: Traffic, i: number): number {
  const t = traffic.llm;
  return t.streamed[i] && Number.isFinite(t.ttftMs[i]!) ? t.ttftMs[i]! : t.latencyMs[i]!;
}

export function isHit(traffic: Traffic, i: number): boolean {
  return traffic.llm.responseCache[i] === RESPONSE_CACHE_CODE.hit;
}

/** The route's measures per call, before and after a fix, from which the Impact's ms figures come. */
export type Timings = { latency: Float64Array; ttft: Float64Array; perceived: Float64Array };

/** A fresh copy of the route's recorded timings (a finding edits its copy into the "after"). */
export function recordedTimings(traffic: Traffic, rows: number[]): Timings {
  const t = traffic.llm;
  const n = rows.length;
  const out: Timings = { latency: new Float64Array(n), ttft: new Float64Array(n), perceived: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    const i = rows[k]!;
    out.latency[k] = t.latencyMs[i]!;
    out.ttft[k] = t.ttftMs[i]!;
    out.perceived[k] = perceivedAt(traffic, i);
  }
  return out;
}

/** The percentiles of the "before" timings, sorted once per route rather than once per finding. */
const beforeStats = new WeakMap<Timings, { p50: number; p95: number; ttftP95: number }>();
function statsOf(t: Timings) {
  let s = beforeStats.get(t);
  if (!s) {
    const [p50, p95] = percentiles(t.latency, [50, 95]);
    s = { p50: p50!, p95: p95!, ttftP95: percentile(t.ttft, 95) };
    beforeStats.set(t, s);
  }
  return s;
}

const saved = (before: number, after: number) => (Number.isFinite(before) && Number.isFinite(after) ? Math.max(0, before - after) : 0);

/**
 * The Impact of a fix from the route's timings before and after it (percentile differences, so
 * a fix that touches 10% of the calls moves p50 little and p95 maybe a lot) and the dollars it
 * saves over the window. `perceivedMs` is the mean saving in what a user waits for.
 */
export function impactOf(before: Timings, after: Timings, savedNano: number, ctx: FindingContext, requests: number): Impact {
  let perceivedSum = 0;
  for (let k = 0; k < before.perceived.length; k++) perceivedSum += saved(before.perceived[k]!, after.perceived[k]!);
  const usd = savedNano / 1e9;
  const b = statsOf(before);
  const [p50, p95] = percentiles(after.latency, [50, 95]);
  return {
    p50Ms: round(saved(b.p50, p50!)),
    p95Ms: round(saved(b.p95, p95!)),
    ttftP95Ms: round(saved(b.ttftP95, percentile(after.ttft, 95))),
    perceivedMs: round(before.perceived.length ? perceivedSum / before.perceived.length : 0),
    usdPerRequest: roundUsd(requests ? usd / requests : 0),
    usdPerDay: roundUsd(usd / ctx.days),
  };
}

export const round = (x: number) => Math.round(x * 10) / 10;
export const roundUsd = (x: number) => Math.round(x * 1e6) / 1e6;
export const share = (a: number, b: number) => (b > 0 ? a / b : 0);
export const pct = (x: number) => `${Math.round(x * 100)}%`;

/**
 * High from 300 affected calls (a share's 95% interval within about ±5 points), medium from 100,
 * low below; one step lower when the estimate leans on the simulator's tables instead of the
 * project's own measurements.
 */
export function confidenceOf(affected: number, fromTables = false): Confidence {
  const level = affected >= 300 ? 2 : affected >= 100 ? 1 : 0;
  const adjusted = Math.max(0, level - (fromTables ? 1 : 0));
  return (["low", "medium", "high"] as const)[adjusted]!;
}

/** Up to `n` event ids and trace ids of the affected rows, spread over the window. */
export function examples(traffic: Traffic, rows: number[], n = 5): { exampleEventIds: string[]; exampleTraceIds: string[] } {
  const ids: string[] = [];
  const traces = new Set<string>();
  const step = Math.max(1, Math.floor(rows.length / n));
  for (let k = 0; k < rows.length && ids.length < n; k += step) {
    const i = rows[k]!;
    ids.push(traffic.llm.id.at(i)!);
    const trace = traffic.llm.trace[i]!;
    if (trace !== NONE) traces.add(decodeOne(traffic.traces, trace)!);
  }
  return { exampleEventIds: ids, exampleTraceIds: [...traces].slice(0, n) };
}

/** The model the route's calls were served by (the commonest), or null. */
export function mainModel(traffic: Traffic, rows: number[]): string | null {
  const counts = new Map<number, number>();
  for (const i of rows) counts.set(traffic.llm.model[i]!, (counts.get(traffic.llm.model[i]!) ?? 0) + 1);
  let best = NONE;
  let n = 0;
  for (const [m, c] of counts) if (c > n) [best, n] = [m, c];
  return decode(traffic.models, best);
}

/** Whether every call of the rows had a price (an unpriced call's cost is 0, not a price). */
export function unpricedShare(traffic: Traffic, rows: number[]): number {
  let u = 0;
  for (const i of rows) u += traffic.llm.unpriced[i]!;
  return share(u, rows.length);
}

export function tagged(traffic: Traffic, i: number, key: string, value: string): boolean {
  return traffic.tags[traffic.llm.tagSet[i]!]?.[key] === value;
}
