import { bucketKey } from "./histogram";
import type { Hist } from "./hist-codec";
import { EVENT_BYTES, PACKED, type RollupCostDelta, type RollupEvent } from "./rollup-event";

/**
 * Folds queued events into rollup rows in memory: each event is added once, to its minute row
 * with every dimension; the grouping sets (and sealed hour/day rows) are then merged from those
 * minute rows, so the per-event work stays constant however many rollups exist.
 */

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
  /**
   * Latencies are summed as whole microseconds (floor(ms x 1000 + 0.5)), which keeps sums exact,
   * as ExactInt: ~105k events of 24 h latency pass 2^53 us in one row.
   */
  latencySumUs: ExactInt;
  ttftCount: number;
  ttftSumUs: ExactInt;
  rcHits: number;
  rcMisses: number;
  rcBypass: number;
  rcHitCostNano: bigint;
  rcMissCostNano: bigint;
  rcHitLatencyUs: ExactInt;
  rcMissLatencyUs: ExactInt;
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

/**
 * An exact integer sum: a double while it is a safe integer, a BigInt past 2^53. Nearly every row
 * stays below 2^53 us and adds at double speed; a row that passes it (~105k events of 24 h
 * latency) stays exact instead of failing the fold. BigInt for every sum measured 1.1-1.3x slower
 * per event through addEvent + rows() (200k events, median of 20 alternating rounds, on a loaded
 * 2-core machine, 2026-12-02): a real but modest cost, and noisy at that load.
 */
export type ExactInt = number | bigint;

export function addExact(a: ExactInt, b: ExactInt): ExactInt {
  if (typeof a === "number" && typeof b === "number") {
    const sum = a + b;
    if (sum <= Number.MAX_SAFE_INTEGER && sum >= -Number.MAX_SAFE_INTEGER) return sum;
  }
  // Each part is a safe integer or a BigInt, so this is exact.
  return BigInt(a) + BigInt(b);
}

/** Microseconds, rounded half up, identically in JS and SQL (floor(x * 1000 + 0.5)). */
export function toMicros(ms: number): number {
  return Math.floor(ms * 1000 + 0.5);
}

/**
 * Output tokens per second of generation (after the first token when known); ok calls with at
 * least a microsecond of generation only (a shorter one is a clock artefact, not a speed).
 */
// `status` is a string: the packed queue decoder reads it back from its dictionary.
export function tokensPerSecond(e: Pick<RollupEvent, "outputTokens" | "latencyMs" | "ttftMs"> & { status: string }): number | null {
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
  target.latencySumUs = addExact(target.latencySumUs, src.latencySumUs);
  target.ttftCount += src.ttftCount;
  target.ttftSumUs = addExact(target.ttftSumUs, src.ttftSumUs);
  target.rcHits += src.rcHits;
  target.rcMisses += src.rcMisses;
  target.rcBypass += src.rcBypass;
  target.rcHitCostNano += src.rcHitCostNano;
  target.rcMissCostNano += src.rcMissCostNano;
  target.rcHitLatencyUs = addExact(target.rcHitLatencyUs, src.rcHitLatencyUs);
  target.rcMissLatencyUs = addExact(target.rcMissLatencyUs, src.rcMissLatencyUs);
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
  // Per project, rows by a short key: finding an event's row is the per-event hot path.
  private readonly byProject = new Map<string, Map<string, RollupRow>>();

  private minuteRow(projectId: string, tsMs: number, kind: string, model: string | null, route: string | null, agent: string | null, status: string): RollupRow {
    const bucketMs = Math.floor(tsMs / MINUTE) * MINUTE;
    let rows = this.byProject.get(projectId);
    if (!rows) {
      rows = new Map();
      this.byProject.set(projectId, rows);
    }
    const short = `${bucketMs}${SEP}${kind}${SEP}${model ?? ""}${SEP}${route ?? ""}${SEP}${agent ?? ""}${SEP}${status}`;
    let row = rows.get(short);
    if (!row) {
      const dims: [string, string, string, string] = [model ?? "", route ?? "", agent ?? "", status];
      row = emptyRow(projectId, 60, bucketMs, 0, kind, dims);
      rows.set(short, row);
      this.minuteRows.set(rowKey(projectId, 60, bucketMs, 0, kind, dims), row);
    }
    return row;
  }

  addEvent(projectId: string, e: RollupEvent): void {
    this.addEventFields(
      projectId,
      e.tsMs,
      e.kind,
      e.model,
      e.route,
      e.agent,
      e.status,
      e.latencyMs,
      e.ttftMs,
      e.inputTokens,
      e.outputTokens,
      e.cacheReadTokens,
      e.cacheWrite5mTokens,
      e.cacheWrite1hTokens,
      e.responseCache,
      e.costNanoUsd,
    );
  }

  /** addEvent without building an object per event (the queue decoder calls this). */
  addEventFields(
    projectId: string,
    tsMs: number,
    kind: string,
    model: string | null,
    route: string | null,
    agent: string | null,
    status: string,
    latencyMs: number | null,
    ttftMs: number | null,
    inputTokens: number,
    outputTokens: number,
    cacheReadTokens: number,
    cacheWrite5mTokens: number,
    cacheWrite1hTokens: number,
    responseCache: string,
    cost: bigint | number,
  ): void {
    const row = this.minuteRow(projectId, tsMs, kind, model, route, agent, status);
    const costNano = typeof cost === "bigint" ? cost : BigInt(cost);
    row.requests += 1;
    if (status === "error") row.errors += 1;
    row.inputTokens += inputTokens;
    row.outputTokens += outputTokens;
    row.cacheReadTokens += cacheReadTokens;
    row.cacheWrite5mTokens += cacheWrite5mTokens;
    row.cacheWrite1hTokens += cacheWrite1hTokens;
    row.costNanoUsd += costNano;
    const latencyUs = latencyMs === null ? 0 : toMicros(latencyMs);
    if (latencyMs !== null) {
      row.latencyCount += 1;
      row.latencySumUs = addExact(row.latencySumUs, latencyUs);
      bump(row.latencyHist, bucketKey(latencyMs));
    }
    if (ttftMs !== null) {
      row.ttftCount += 1;
      row.ttftSumUs = addExact(row.ttftSumUs, toMicros(ttftMs));
      bump(row.ttftHist, bucketKey(ttftMs));
    }
    const tps = tokensPerSecond({ status, outputTokens, latencyMs, ttftMs });
    if (tps !== null) bump(row.tpsHist, bucketKey(tps));
    if (responseCache === "hit") {
      row.rcHits += 1;
      row.rcHitCostNano += costNano;
      row.rcHitLatencyUs = addExact(row.rcHitLatencyUs, latencyUs);
    } else if (responseCache === "miss") {
      row.rcMisses += 1;
      row.rcMissCostNano += costNano;
      row.rcMissLatencyUs = addExact(row.rcMissLatencyUs, latencyUs);
    } else if (responseCache === "bypass") {
      row.rcBypass += 1;
    }
  }

  /**
   * Adds a queue row's packed events (rollup-queue-codec.ts). Rows are found by numeric keys of
   * the batch's dictionary indexes; costs and microsecond sums add as doubles until the batch
   * ends or they would pass 2^53 (exact below it), which keeps this loop free of strings and
   * BigInts.
   */
  addPacked(projectId: string, baseMs: number, strings: string[], view: DataView): void {
    if (strings.length >= 8192) {
      // Only a pathological batch has this many distinct strings: take the general path.
      for (let o = 0; o < view.byteLength; o += EVENT_BYTES) this.addPackedOne(projectId, baseMs, strings, view, o);
      return;
    }
    type Slot = { row: RollupRow; cost: number; hitCost: number; missCost: number; lat: number; ttft: number; hitLat: number; missLat: number };
    const slots = new Map<number, Map<number, Slot>>();
    const settle = (slot: Slot) => {
      slot.row.costNanoUsd += BigInt(slot.cost);
      slot.row.rcHitCostNano += BigInt(slot.hitCost);
      slot.row.rcMissCostNano += BigInt(slot.missCost);
      slot.row.latencySumUs = addExact(slot.row.latencySumUs, slot.lat);
      slot.row.ttftSumUs = addExact(slot.row.ttftSumUs, slot.ttft);
      slot.row.rcHitLatencyUs = addExact(slot.row.rcHitLatencyUs, slot.hitLat);
      slot.row.rcMissLatencyUs = addExact(slot.row.rcMissLatencyUs, slot.missLat);
      slot.cost = slot.hitCost = slot.missCost = slot.lat = slot.ttft = slot.hitLat = slot.missLat = 0;
    };
    const baseMinute = Math.floor(baseMs / MINUTE);
    const str = (i: number) => (i < 0 ? null : strings[i]!);
    for (let o = 0; o < view.byteLength; o += EVENT_BYTES) {
      const tsMs = baseMs + view.getFloat64(o + PACKED.tsMs, true);
      const kind = view.getInt16(o + PACKED.kind, true);
      const model = view.getInt16(o + PACKED.model, true);
      const route = view.getInt16(o + PACKED.route, true);
      const agent = view.getInt16(o + PACKED.agent, true);
      const status = view.getInt16(o + PACKED.status, true);
      const outer = ((Math.floor(tsMs / MINUTE) - baseMinute + 131_072) * 8192 + (model + 1)) * 8192 + (route + 1);
      const inner = ((agent + 1) * 8192 + kind) * 8192 + status;
      let byInner = slots.get(outer);
      if (!byInner) {
        byInner = new Map();
        slots.set(outer, byInner);
      }
      let slot = byInner.get(inner);
      if (!slot) {
        slot = { row: this.minuteRow(projectId, tsMs, strings[kind]!, str(model), str(route), str(agent), strings[status]!), cost: 0, hitCost: 0, missCost: 0, lat: 0, ttft: 0, hitLat: 0, missLat: 0 };
        byInner.set(inner, slot);
      }
      const row = slot.row;
      const latencyMs = view.getFloat64(o + PACKED.latencyMs, true);
      const ttftMs = view.getFloat64(o + PACKED.ttftMs, true);
      const cost = view.getFloat64(o + PACKED.costNanoUsd, true);
      const outputTokens = view.getUint32(o + PACKED.outputTokens, true);
      const statusName = strings[status]!;
      const rc = strings[view.getInt16(o + PACKED.responseCache, true)];
      row.requests += 1;
      if (statusName === "error") row.errors += 1;
      row.inputTokens += view.getUint32(o + PACKED.inputTokens, true);
      row.outputTokens += outputTokens;
      row.cacheReadTokens += view.getUint32(o + PACKED.cacheReadTokens, true);
      row.cacheWrite5mTokens += view.getUint32(o + PACKED.cacheWrite5mTokens, true);
      row.cacheWrite1hTokens += view.getUint32(o + PACKED.cacheWrite1hTokens, true);
      const hasLatency = !Number.isNaN(latencyMs);
      const latencyUs = hasLatency ? toMicros(latencyMs) : 0;
      const hasTtft = !Number.isNaN(ttftMs);
      const ttftUs = hasTtft ? toMicros(ttftMs) : 0;
      // Every double below stays a safe integer: one that would pass 2^53 settles the slot first
      // (the hit and miss latency sums are parts of `lat`, so checking it covers them).
      if (slot.cost + cost > Number.MAX_SAFE_INTEGER || slot.lat + latencyUs > Number.MAX_SAFE_INTEGER || slot.ttft + ttftUs > Number.MAX_SAFE_INTEGER) settle(slot);
      slot.cost += cost;
      if (hasLatency) {
        row.latencyCount += 1;
        slot.lat += latencyUs;
        bump(row.latencyHist, bucketKey(latencyMs));
      }
      if (hasTtft) {
        row.ttftCount += 1;
        slot.ttft += ttftUs;
        bump(row.ttftHist, bucketKey(ttftMs));
      }
      const tps = tokensPerSecond({ status: statusName, outputTokens, latencyMs: hasLatency ? latencyMs : null, ttftMs: hasTtft ? ttftMs : null });
      if (tps !== null) bump(row.tpsHist, bucketKey(tps));
      if (rc === "hit") {
        row.rcHits += 1;
        slot.hitCost += cost;
        slot.hitLat += latencyUs;
      } else if (rc === "miss") {
        row.rcMisses += 1;
        slot.missCost += cost;
        slot.missLat += latencyUs;
      } else if (rc === "bypass") {
        row.rcBypass += 1;
      }
    }
    for (const byInner of slots.values()) for (const slot of byInner.values()) settle(slot);
  }

  private addPackedOne(projectId: string, baseMs: number, strings: string[], view: DataView, o: number): void {
    const str = (i: number) => (i < 0 ? null : strings[i]!);
    const latencyMs = view.getFloat64(o + PACKED.latencyMs, true);
    const ttftMs = view.getFloat64(o + PACKED.ttftMs, true);
    this.addEventFields(
      projectId,
      baseMs + view.getFloat64(o + PACKED.tsMs, true),
      strings[view.getInt16(o + PACKED.kind, true)]!,
      str(view.getInt16(o + PACKED.model, true)),
      str(view.getInt16(o + PACKED.route, true)),
      str(view.getInt16(o + PACKED.agent, true)),
      strings[view.getInt16(o + PACKED.status, true)]!,
      Number.isNaN(latencyMs) ? null : latencyMs,
      Number.isNaN(ttftMs) ? null : ttftMs,
      view.getUint32(o + PACKED.inputTokens, true),
      view.getUint32(o + PACKED.outputTokens, true),
      view.getUint32(o + PACKED.cacheReadTokens, true),
      view.getUint32(o + PACKED.cacheWrite5mTokens, true),
      view.getUint32(o + PACKED.cacheWrite1hTokens, true),
      strings[view.getInt16(o + PACKED.responseCache, true)]!,
      view.getFloat64(o + PACKED.costNanoUsd, true),
    );
  }

  addCostDelta(projectId: string, d: RollupCostDelta): void {
    const row = this.minuteRow(projectId, d.tsMs, d.kind, d.model, d.route, d.agent, d.status);
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
