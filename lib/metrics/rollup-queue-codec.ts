import type { EventRecord } from "../events/event-record";
import type { RollupAggregator } from "./rollup-aggregate";
import { EVENT_BYTES, PACKED, type RollupCostDelta } from "./rollup-event";

/**
 * What the ingest transaction queues for the rollups, built for the least CPU on both ends (the
 * machine that ingests also folds). Events: a fixed 64-byte record each, packed into a bytea,
 * with their strings in a small JSON dictionary (the layout: PACKED in rollup-event.ts). Cost
 * deltas (price recomputes, rare) are JSON.
 */
const DELTA_WIDTH = 8;

export type QueueHead = { v: 3; s: string[]; t: number; d?: number[] };

class Dictionary {
  readonly strings: string[] = [];
  private readonly index = new Map<string, number>();
  id(s: string | null): number {
    if (s === null) return -1;
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

/** The queue row for newly stored events: a JSON head (strings, base time) and the packed records. */
export function encodeEvents(records: EventRecord[]): { payload: string; packed: Buffer } {
  const dict = new Dictionary();
  const base = records.length > 0 ? Date.parse(records[0]!.ts) : 0;
  const packed = Buffer.alloc(records.length * EVENT_BYTES);
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  let o = 0;
  for (const r of records) {
    view.setFloat64(o + PACKED.tsMs, Date.parse(r.ts) - base, true);
    view.setFloat64(o + PACKED.latencyMs, r.latencyMs ?? Number.NaN, true);
    view.setFloat64(o + PACKED.ttftMs, r.ttftMs ?? Number.NaN, true);
    // Per-event costs are far below 2^53 nano-USD ($9M): a double holds them exactly.
    view.setFloat64(o + PACKED.costNanoUsd, Number(r.costNanoUsd), true);
    view.setUint32(o + PACKED.inputTokens, r.inputTokens, true);
    view.setUint32(o + PACKED.outputTokens, r.outputTokens, true);
    view.setUint32(o + PACKED.cacheReadTokens, r.cacheReadTokens, true);
    view.setUint32(o + PACKED.cacheWrite5mTokens, r.cacheWrite5mTokens, true);
    view.setUint32(o + PACKED.cacheWrite1hTokens, r.cacheWrite1hTokens, true);
    view.setInt16(o + PACKED.kind, dict.id(r.kind), true);
    view.setInt16(o + PACKED.model, dict.id(r.model), true);
    view.setInt16(o + PACKED.route, dict.id(r.route), true);
    view.setInt16(o + PACKED.agent, dict.id(r.agent), true);
    view.setInt16(o + PACKED.status, dict.id(r.status), true);
    view.setInt16(o + PACKED.responseCache, dict.id(r.responseCache), true);
    o += EVENT_BYTES;
  }
  return { payload: JSON.stringify({ v: 3, s: dict.strings, t: base } satisfies QueueHead), packed };
}

export function encodeCostDeltas(deltas: RollupCostDelta[]): string {
  const dict = new Dictionary();
  const base = deltas.length > 0 ? deltas[0]!.tsMs : 0;
  const d: number[] = [];
  for (const x of deltas) {
    d.push(x.tsMs - base, dict.id(x.kind), dict.id(x.model), dict.id(x.route), dict.id(x.agent), dict.id(x.status), dict.id(x.responseCache), Number(x.deltaNanoUsd));
  }
  return JSON.stringify({ v: 3, s: dict.strings, t: base, d } satisfies QueueHead);
}

/** Feeds one queue row's events and cost deltas into the aggregator. */
export function decodeInto(agg: RollupAggregator, projectId: string, payload: string, packed: Uint8Array | null): void {
  const head = JSON.parse(payload) as QueueHead;
  if (head.v !== 3) throw new Error(`unknown rollup queue payload version ${String(head.v)}`);
  const s = head.s;
  if (packed && packed.length > 0) {
    if (packed.length % EVENT_BYTES !== 0) throw new Error(`corrupt rollup queue row: ${packed.length} bytes`);
    agg.addPacked(projectId, head.t, s, new DataView(packed.buffer, packed.byteOffset, packed.byteLength));
  }
  const d = head.d ?? [];
  const str = (i: number) => (i < 0 ? null : s[i]!);
  // The dictionary holds what encodeCostDeltas wrote: the deltas' own enum values.
  for (let o = 0; o < d.length; o += DELTA_WIDTH) {
    agg.addCostDelta(projectId, {
      tsMs: head.t + d[o]!,
      kind: s[d[o + 1]!]! as RollupCostDelta["kind"],
      model: str(d[o + 2]!),
      route: str(d[o + 3]!),
      agent: str(d[o + 4]!),
      status: s[d[o + 5]!]! as RollupCostDelta["status"],
      responseCache: s[d[o + 6]!]! as RollupCostDelta["responseCache"],
      deltaNanoUsd: BigInt(d[o + 7]!),
    });
  }
}
