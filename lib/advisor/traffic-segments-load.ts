import type { Db } from "@/db/client";
import { log } from "../log";
import { allRows, sameStamp, stampOfRows, type RowRanges, type Traffic } from "./traffic";
import { BLOCKS_SUPPORTED, BlockFormatError, decodeBlockInto } from "./traffic-block-codec";
import { builderDictionaries, concatTraffic, TrafficBuilder } from "./traffic-builder";
import { rowsBetween } from "./traffic-extend";
import { loadTraffic, windowStamp, type LoadTrafficParams } from "./traffic-load";
import { HOUR_MS, hourStamps, readSegment, segmentsOverlapping, segmentsToRead, storedStamp, wholeHours, type SegmentInfo } from "./traffic-segments";

/** How a load went (tests, benches): the whole hours with rows read from a stored segment rather than from the events. */
export type SegmentLoadStats = { storedHours: number };

/**
 * loadTraffic, reading the whole hours stored segments hold as the events table reads them now
 * (traffic-segments.ts) from the segment, and only the rest (the window's edges, hours not
 * stored or changed since) from the events. With no segment stored it is loadTraffic plus one
 * lookup of the segment table. The answer is the same Traffic either way
 * (traffic-segments-load.test.ts compares them row by row).
 */
export async function loadTrafficWithSegments(db: Db, params: LoadTrafficParams & { stats?: SegmentLoadStats }): Promise<Traffic> {
  const fromMs = params.from.getTime();
  const toMs = params.to.getTime();
  const hours = wholeHours(fromMs, toMs);
  // A tail load coded into a kept window's dictionaries (traffic-extend.ts) is minutes: rows.
  if (!BLOCKS_SUPPORTED || params.dictionaries || hours.length === 0) return loadTraffic(db, params);
  const first = hours[0]!;
  const end = hours[hours.length - 1]! + HOUR_MS;
  const chosen = segmentsToRead(await segmentsOverlapping(db, params.projectId, first, end), first, end);
  params.signal?.throwIfAborted();
  if (chosen.length === 0) return loadTraffic(db, params);
  const from = Math.max(first, chosen[0]!.startMs);
  const to = Math.min(end, chosen[chosen.length - 1]!.endMs);
  // The check and the bytes side by side: stored segments are almost always still valid.
  const range = { projectId: params.projectId, from: new Date(from), to: new Date(to) };
  const [check, stored] = await Promise.all([windowStamp(db, range), readSegments(db, params.projectId, chosen)]);
  params.signal?.throwIfAborted();
  if (!stored) return loadTraffic(db, params);
  // Null: every stored hour stands (see storedStamp).
  const now = sameStamp(check, storedStamp(stored.map((x) => x.info), from, to)) ? null : await hourStamps(db, params.projectId, from, to);
  params.signal?.throwIfAborted();
  const usable: number[] = [];
  let withRows = 0;
  for (let h = from; h < to; h += HOUR_MS) {
    const seg = stored.find((s) => s.info.startMs <= h && h < s.info.endMs);
    if (!seg) continue;
    const kept = seg.info.hours.get(h);
    const read = now ? now.get(h) : kept;
    if (!kept && !read) usable.push(h);
    else if (kept && read && sameStamp(kept, read)) {
      usable.push(h);
      withRows++;
    }
  }
  if (withRows === 0) return loadTraffic(db, params);
  let segment: Traffic;
  const window = { projectId: params.projectId, fromMs, toMs };
  try {
    const builder = new TrafficBuilder(window, 4096);
    // Disjoint and in time order, each stored in time order: appended, they are in time order, and finish only cuts the columns to length.
    for (const s of stored) decodeBlockInto(s.data, builder);
    segment = builder.finish();
  } catch (err) {
    if (!(err instanceof BlockFormatError)) throw err;
    log.warn({ err, projectId: params.projectId }, "advisor: a stored segment could not be read; loading the window from the events");
    return loadTraffic(db, params);
  }
  params.onProgress?.(0.8);
  const dictionaries = builderDictionaries(segment) ?? undefined;
  const parts: { traffic: Traffic; rows: RowRanges }[] = [];
  let at = fromMs;
  const gap = async (until: number) => {
    if (until <= at) return;
    const t = await loadTraffic(db, { projectId: params.projectId, from: new Date(at), to: new Date(until), signal: params.signal, dictionaries });
    parts.push({ traffic: t, rows: allRows(t) });
  };
  for (let k = 0; k < usable.length; ) {
    let j = k;
    while (j + 1 < usable.length && usable[j + 1] === usable[j]! + HOUR_MS) j++;
    await gap(usable[k]!);
    parts.push({ traffic: segment, rows: rowsBetween(segment, usable[k]!, usable[j]! + HOUR_MS) });
    at = usable[j]! + HOUR_MS;
    k = j + 1;
  }
  await gap(toMs);
  params.signal?.throwIfAborted();
  // Usually the segment alone holds rows (the window's edges are empty or minutes): no copy of every column then.
  const nonEmpty = parts.filter((p) => p.rows.llm[1] > p.rows.llm[0] || p.rows.tools[1] > p.rows.tools[0]);
  const whole = nonEmpty.length === 1 && nonEmpty[0]!.traffic === segment && nonEmpty[0]!.rows.llm[1] - nonEmpty[0]!.rows.llm[0] === segment.llm.length && nonEmpty[0]!.rows.tools[1] - nonEmpty[0]!.rows.tools[0] === segment.tools.length;
  const out = whole ? segment : concatTraffic(parts, window);
  out.stamp = stampOfRows(out, allRows(out));
  if (params.stats) params.stats.storedHours = withRows;
  params.onProgress?.(1);
  return out;
}

/** Readers at once: two keeps Postgres's side (detoasting and sending the bytes) on both cores of this machine kind, and leaves the pool to the dashboards. */
const READS_AT_ONCE = 2;

/** Each segment's bytes, in the order given; null when one is gone (rewritten or deleted since it was listed). */
async function readSegments(db: Db, projectId: string, segments: SegmentInfo[]): Promise<{ info: SegmentInfo; data: Uint8Array }[] | null> {
  const out: ({ info: SegmentInfo; data: Uint8Array } | null)[] = new Array(segments.length).fill(null);
  let next = 0;
  let gone = false;
  const reader = async () => {
    while (!gone && next < segments.length) {
      const k = next++;
      const read = await readSegment(db, projectId, segments[k]!.startMs);
      if (!read || read.info.endMs !== segments[k]!.endMs) gone = true;
      else out[k] = read;
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_AT_ONCE, segments.length) }, reader));
  return gone ? null : (out as { info: SegmentInfo; data: Uint8Array }[]);
}
