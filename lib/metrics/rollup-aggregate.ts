import { bucketKey } from "./histogram";
import type { Hist } from "./hist-codec";

/**
 * Folds queued events into rollup rows in memory: each event is added once, to its minute row
 * with every dimension; the grouping sets (and sealed hour/day rows) are then merged from those
 * minute rows, so the per-event work stays constant however many rollups exist.
 */

/** One event as queued: only what rollups need. */
export type RollupEvent = {
  tsMs: number;
  kind: string;
  model: string | null;
  route: string | null;
  agent: string | null;
  status: string;
  latencyMs: number | null;
  ttftMs: number | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  responseCache: string;
  costNanoUsd: bigint;
};

/** A change of stored cost (a price recompute): moves money, never counts. */
export type RollupCostDelta = {
  tsMs: number;
  kind: string;
  model: string | null;
  route: string | null;
  agent: string | null;
  status: string;
  responseCache: string;
  deltaNanoUsd: bigint;
};

export type { Hist };

export type RollupRow = {
  projectId: string;
  grainS: number;
  bucketMs: number;
  setId: number;
  kind: string;
  model: string;
  route: string;
  agent: string;
  status: string;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  costNanoUsd: bigint;
  latencyCount: number;
  /** Latencies are summed as whole microseconds (floor(ms x 1000 + 0.5)), which keeps sums exact. */
  latencySumUs: number;
  ttftCount: number;
  ttftSumUs: number;
  rcHits: number;
  rcMisses: number;
  rcBypass: number;
  rcHitCostNano: bigint;
  rcMissCostNano: bigint;
  rcHitLatencyUs: number;
  rcMissLatencyUs: number;
  latencyHist: Hist;
  ttftHist: Hist;
  tpsHist: Hist;
};

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** GROUPING(model, route, agent, status) of each set, and which dimensions it keeps. */
const DERIVED_SETS: { setId: number; keep: (r: RollupRow) => [string, string, string, string] }[] = [
  { setId: 15, keep: () => ["", "", "", ""] },
  { setId: 7, keep: (r) => [r.model, "", "", ""] },
  { setId: 11, keep: (r) => ["", r.route, "", ""] },
  { setId: 13, keep: (r) => ["", "", r.agent, ""] },
];

/** Microseconds, rounded half up, identically in JS and SQL (floor(x * 1000 + 0.5)). */
export function toMicros(ms: number): number {
  return Math.floor(ms * 1000 + 0.5);
}

/**
 * Output tokens per second of generation (after the first token when known); ok calls with at
 * least a microsecond of generation only (a shorter one is a clock artefact, not a speed).
 */
export function tokensPerSecond(e: Pick<RollupEvent, "status" | "outputTokens" | "latencyMs" | "ttftMs">): number | null {
  if (e.status !== "ok" || e.outputTokens <= 0 || e.latencyMs === null) return null;
  const generating = e.latencyMs - (e.ttftMs ?? 0);
  return generating >= 0.001 ? (e.outputTokens * 1000) / generating : null;
}

export function emptyRow(projectId: string, grainS: number, bucketMs: number, setId: number, kind: string, dims: [string, string, string, string]): RollupRow {
  return {
    projectId,
    grainS,
    bucketMs,
    setId,
    kind,
    model: dims[0],
    route: dims[1],
    agent: dims[2],
    status: dims[3],
    requests: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    costNanoUsd: 0n,
    latencyCount: 0,
    latencySumUs: 0,
    ttftCount: 0,
    ttftSumUs: 0,
    rcHits: 0,
    rcMisses: 0,
    rcBypass: 0,
    rcHitCostNano: 0n,
    rcMissCostNano: 0n,
    rcHitLatencyUs: 0,
    rcMissLatencyUs: 0,
    latencyHist: new Map(),
    ttftHist: new Map(),
    tpsHist: new Map(),
  };
}

function bump(h: Hist, key: number, n = 1): void {
  h.set(key, (h.get(key) ?? 0) + n);
}

export function mergeInto(target: RollupRow, src: RollupRow): void {
  target.requests += src.requests;
  target.errors += src.errors;
  target.inputTokens += src.inputTokens;
  target.outputTokens += src.outputTokens;
  target.cacheReadTokens += src.cacheReadTokens;
  target.cacheWrite5mTokens += src.cacheWrite5mTokens;
  target.cacheWrite1hTokens += src.cacheWrite1hTokens;
  target.costNanoUsd += src.costNanoUsd;
  target.latencyCount += src.latencyCount;
  target.latencySumUs += src.latencySumUs;
  target.ttftCount += src.ttftCount;
  target.ttftSumUs += src.ttftSumUs;
  target.rcHits += src.rcHits;
  target.rcMisses += src.rcMisses;
  target.rcBypass += src.rcBypass;
  target.rcHitCostNano += src.rcHitCostNano;
  target.rcMissCostNano += src.rcMissCostNano;
  target.rcHitLatencyUs += src.rcHitLatencyUs;
  target.rcMissLatencyUs += src.rcMissLatencyUs;
  for (const [k, n] of src.latencyHist) bump(target.latencyHist, k, n);
  for (const [k, n] of src.ttftHist) bump(target.ttftHist, k, n);
  for (const [k, n] of src.tpsHist) bump(target.tpsHist, k, n);
}

// NUL cannot occur in stored text, so it separates key parts unambiguously.
const SEP = "\u0000";
export const rowKey = (projectId: string, grainS: number, bucketMs: number, setId: number, kind: string, dims: readonly string[]) =>
  [projectId, grainS, bucketMs, setId, kind, ...dims].join(SEP);

export class RollupAggregator {
  private readonly minuteRows = new Map<string, RollupRow>();

  private minuteRow(projectId: string, e: { tsMs: number; kind: string; model: string | null; route: string | null; agent: string | null; status: string }): RollupRow {
    const bucketMs = Math.floor(e.tsMs / MINUTE) * MINUTE;
    const dims: [string, string, string, string] = [e.model ?? "", e.route ?? "", e.agent ?? "", e.status];
    const key = rowKey(projectId, 60, bucketMs, 0, e.kind, dims);
    let row = this.minuteRows.get(key);
    if (!row) {
      row = emptyRow(projectId, 60, bucketMs, 0, e.kind, dims);
      this.minuteRows.set(key, row);
    }
    return row;
  }

  addEvent(projectId: string, e: RollupEvent): void {
    const row = this.minuteRow(projectId, e);
    row.requests += 1;
    if (e.status === "error") row.errors += 1;
    row.inputTokens += e.inputTokens;
    row.outputTokens += e.outputTokens;
    row.cacheReadTokens += e.cacheReadTokens;
    row.cacheWrite5mTokens += e.cacheWrite5mTokens;
    row.cacheWrite1hTokens += e.cacheWrite1hTokens;
    row.costNanoUsd += e.costNanoUsd;
    const latencyUs = e.latencyMs === null ? 0 : toMicros(e.latencyMs);
    if (e.latencyMs !== null) {
      row.latencyCount += 1;
      row.latencySumUs += latencyUs;
      bump(row.latencyHist, bucketKey(e.latencyMs));
    }
    if (e.ttftMs !== null) {
      row.ttftCount += 1;
      row.ttftSumUs += toMicros(e.ttftMs);
      bump(row.ttftHist, bucketKey(e.ttftMs));
    }
    const tps = tokensPerSecond(e);
    if (tps !== null) bump(row.tpsHist, bucketKey(tps));
    if (e.responseCache === "hit") {
      row.rcHits += 1;
      row.rcHitCostNano += e.costNanoUsd;
      row.rcHitLatencyUs += latencyUs;
    } else if (e.responseCache === "miss") {
      row.rcMisses += 1;
      row.rcMissCostNano += e.costNanoUsd;
      row.rcMissLatencyUs += latencyUs;
    } else if (e.responseCache === "bypass") {
      row.rcBypass += 1;
    }
  }

  addCostDelta(projectId: string, d: RollupCostDelta): void {
    const row = this.minuteRow(projectId, d);
    row.costNanoUsd += d.deltaNanoUsd;
    if (d.responseCache === "hit") row.rcHitCostNano += d.deltaNanoUsd;
    else if (d.responseCache === "miss") row.rcMissCostNano += d.deltaNanoUsd;
  }

  /**
   * Every row to upsert: the minute rows with their grouping sets, plus hour and day rows only for
   * buckets already sealed (late events); unsealed hours and days are built from minutes later.
   */
  rows(sealed: { hourUntilMs: number; dayUntilMs: number } = { hourUntilMs: Infinity, dayUntilMs: Infinity }): RollupRow[] {
    const out = new Map<string, RollupRow>(this.minuteRows);
    const foldInto = (grainS: number, bucketMs: number, setId: number, src: RollupRow, dims: [string, string, string, string]) => {
      const key = rowKey(src.projectId, grainS, bucketMs, setId, src.kind, dims);
      let row = out.get(key);
      if (!row) {
        row = emptyRow(src.projectId, grainS, bucketMs, setId, src.kind, dims);
        out.set(key, row);
      }
      mergeInto(row, src);
    };
    for (const src of this.minuteRows.values()) {
      const all: [string, string, string, string] = [src.model, src.route, src.agent, src.status];
      const hour = Math.floor(src.bucketMs / HOUR) * HOUR;
      const day = Math.floor(src.bucketMs / DAY) * DAY;
      const grains: [number, number][] = [[60, src.bucketMs]];
      if (hour < sealed.hourUntilMs) grains.push([3600, hour]);
      if (day < sealed.dayUntilMs) grains.push([86_400, day]);
      for (const [grainS, bucketMs] of grains) {
        if (grainS !== 60) foldInto(grainS, bucketMs, 0, src, all);
        for (const set of DERIVED_SETS) foldInto(grainS, bucketMs, set.setId, src, set.keep(src));
      }
    }
    return [...out.values()];
  }

  get size(): number {
    return this.minuteRows.size;
  }
}
