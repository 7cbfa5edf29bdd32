import type { Db } from "@/db/client";
import type { Traffic } from "./traffic";
import { builderDictionaries, joinedTraffic, type TrafficDictionaries } from "./traffic-builder";
import type { LoadTrafficParams } from "./traffic-load";

type Load = (db: Db, params: LoadTrafficParams) => Promise<Traffic>;

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

/**
 * Whether `head` can be moved forward to the window [from, to): the same project, a window that
 * starts inside head's and ends after it (the advisor page's Refresh, "the last 24 h up to now").
 */
export function extendsForward(head: Traffic, params: Pick<LoadTrafficParams, "projectId" | "from" | "to">): boolean {
  const from = params.from.getTime();
  const to = params.to.getTime();
  return head.stamp !== undefined && head.projectId === params.projectId && head.fromMs <= from && from < head.toMs && head.toMs < to;
}

/** Codes handed out by a Traffic's dictionaries in all (the dropped rows' strings stay in them). */
export function dictionarySize(dict: TrafficDictionaries): number {
  let n = 0;
  for (const d of Object.values(dict)) n += d.size;
  return n;
}

/**
 * `head` moved forward to the window of `params`: its rows from `params.from` on, then the rows of
 * [head.toMs, params.to) loaded now, coded into head's dictionaries. The caller has checked that
 * head still holds what the database holds for its own window (its stamp reads the same), so only
 * the new part is read: at a million rows, a load of a minute's traffic instead of the whole day.
 * null when head was not made by a builder (a Traffic built by hand).
 *
 * The stamp: rows, cost and unpriced count are exact; `lastReceivedUs` is head's or the new
 * part's, whichever is later, which is the window's own unless the latest arrival of head was
 * among the rows dropped. Then it is later than the window's, the next check reads a different
 * stamp and the window is loaded afresh: too late a stamp only costs a load, never a stale answer.
 */
export async function extendTraffic(db: Db, head: Traffic, params: LoadTrafficParams, load: Load): Promise<Traffic | null> {
  const dictionaries = builderDictionaries(head);
  if (!dictionaries || !head.stamp) return null;
  const tail = await load(db, { ...params, from: new Date(head.toMs), dictionaries });
  const fromMs = params.from.getTime();
  const llmFrom = firstAtOrAfter(head.llm.tsMs, head.llm.length, fromMs);
  const toolFrom = firstAtOrAfter(head.tools.tsMs, head.tools.length, fromMs);
  const traffic = joinedTraffic(head, llmFrom, toolFrom, tail, { fromMs, toMs: params.to.getTime() });
  let llmCostNano = tail.stamp?.llmCostNano ?? 0;
  let llmUnpriced = tail.stamp?.llmUnpriced ?? 0;
  for (let i = llmFrom; i < head.llm.length; i++) {
    llmCostNano += head.llm.costNano[i]!;
    llmUnpriced += head.llm.unpriced[i]!;
  }
  traffic.stamp = {
    rows: traffic.llm.length + traffic.tools.length,
    lastReceivedUs: Math.max(head.stamp.lastReceivedUs, tail.stamp?.lastReceivedUs ?? 0),
    llmCostNano,
    llmUnpriced,
  };
  return traffic;
}
