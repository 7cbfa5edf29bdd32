import type { Db } from "@/db/client";
import { addStamps, sameStamp, stampOfRows, type RowRanges, type Traffic, type TrafficStamp } from "./traffic";
import { builderDictionaries, DICTIONARY_NAMES, joinedTraffic, type TrafficDictionaries } from "./traffic-builder";
import type { LoadTrafficParams } from "./traffic-load";

type Load = (db: Db, params: LoadTrafficParams) => Promise<Traffic>;
type Stamp = (db: Db, params: Pick<LoadTrafficParams, "projectId" | "from" | "to">) => Promise<TrafficStamp>;

/**
 * How late an event may still arrive for its time: `ts` is when a call started, and it is stored
 * after the call ends and the recorder, SDK or OTLP exporter flushes. The last this long of a kept
 * window is loaded again with the new part rather than trusted, so the calls in flight when it was
 * loaded do not make every Refresh a whole load.
 */
export const LATE_ARRIVAL_MS = 15 * 60_000;

/** The first row at or after `ms` in a column in time order (n when none). */
export function firstAtOrAfter(ts: Float64Array, n: number, ms: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The rows of a Traffic that started in [fromMs, toMs). */
export function rowsBetween(t: Traffic, fromMs: number, toMs: number): RowRanges {
  return {
    llm: [firstAtOrAfter(t.llm.tsMs, t.llm.length, fromMs), firstAtOrAfter(t.llm.tsMs, t.llm.length, toMs)],
    tools: [firstAtOrAfter(t.tools.tsMs, t.tools.length, fromMs), firstAtOrAfter(t.tools.tsMs, t.tools.length, toMs)],
  };
}

/** Codes handed out by a Traffic's dictionaries in all (the dropped rows' strings stay in them). */
export function dictionarySize(dict: TrafficDictionaries): number {
  let n = 0;
  for (const d of Object.values(dict)) n += d.size;
  return n;
}

/**
 * Where `head` can be moved forward to the window of `params` (the advisor page's Refresh, "the
 * last 24 h up to now"): the same project, a window that starts inside head's and ends after it,
 * keeping at least half of head's rows (a much shorter window is better loaded afresh, with
 * dictionaries of its own). The kept part ends LATE_ARRIVAL_MS before head's end; null when
 * nothing would be kept.
 */
export function movePlan(head: Traffic, params: Pick<LoadTrafficParams, "projectId" | "from" | "to">): { cutMs: number; keep: RowRanges } | null {
  const from = params.from.getTime();
  const to = params.to.getTime();
  if (!head.stamp || head.projectId !== params.projectId || from < head.fromMs || to <= head.toMs) return null;
  const cutMs = head.toMs - LATE_ARRIVAL_MS;
  if (cutMs <= from) return null;
  const keep = rowsBetween(head, from, cutMs);
  const kept = keep.llm[1] - keep.llm[0] + (keep.tools[1] - keep.tools[0]);
  if (2 * kept < head.llm.length + head.tools.length) return null;
  return { cutMs, keep };
}

/**
 * `head` moved forward to the window of `params`: its rows in [params.from, cut) when the database
 * still holds exactly those (the stamp of that range, read now, equals the one summed from the
 * rows), then the rows of [cut, params.to) loaded now, coded into head's dictionaries. At a
 * million rows that is a load of the last minutes instead of the whole day. null when it cannot
 * be moved (see movePlan), when that range changed since head was loaded (a late arrival before
 * the cut, a repricing), or when head was not made by a builder. The stamp is exact: what
 * windowStamp reads for the new window, had nothing arrived meanwhile.
 */
export async function extendTraffic(db: Db, head: Traffic, params: LoadTrafficParams, deps: { load: Load; stamp: Stamp }): Promise<Traffic | null> {
  const plan = movePlan(head, params);
  const dictionaries = builderDictionaries(head);
  if (!plan || !dictionaries) return null;
  const kept = stampOfRows(head, plan.keep);
  const now = await deps.stamp(db, { projectId: params.projectId, from: params.from, to: new Date(plan.cutMs) });
  params.signal?.throwIfAborted();
  if (!sameStamp(now, kept)) return null;
  const tail = await deps.load(db, { ...params, from: new Date(plan.cutMs), dictionaries });
  // Joined rows are decoded with the tail's dictionaries: they must be head's, which the loader was asked to code into.
  const tailDict = builderDictionaries(tail);
  if (!tail.stamp || !tailDict || DICTIONARY_NAMES.some((n) => tailDict[n] !== dictionaries[n])) return null;
  const traffic = joinedTraffic(head, plan.keep, tail, { fromMs: params.from.getTime(), toMs: params.to.getTime() });
  traffic.stamp = addStamps(kept, tail.stamp);
  return traffic;
}
