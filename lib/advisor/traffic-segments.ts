import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import type { SegmentHourStamp } from "@/db/schema";
import { addStamps, sameStamp, stampOfRows, type Traffic, type TrafficStamp } from "./traffic";
import { BlockEncoder, TRAFFIC_BLOCK_FORMAT } from "./traffic-block-codec";
import { rowsBetween } from "./traffic-extend";
import { NOT_PLAYGROUND, UUID, type PostgresJsCopy } from "./traffic-load";

/**
 * The advisor's own storage: a project's loaded rows over a run of whole hours, kept in
 * `advisor_traffic_segments` as one block (traffic-block-codec.ts) with the stamp of each hour
 * (TrafficStamp, as the events table reads it for that hour). An hour of a segment is used only
 * while the events table still reads the same stamp for it, so a late event, a repricing or
 * retention makes that hour read from the events again. One dictionary for the whole run: stored
 * per hour, each hour's strings were coded again at every load (a trace or prompt hash recurs
 * across hours), which made reading 168 hours slower than the COPY it replaces. In Postgres, so
 * every process of an install shares it and a restart keeps it.
 */
export const HOUR_MS = 3_600_000;

/** The whole hours inside [fromMs, toMs), as their start (ms). */
export function wholeHours(fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let h = Math.ceil(fromMs / HOUR_MS) * HOUR_MS; h + HOUR_MS <= toMs; h += HOUR_MS) out.push(h);
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();
const stampOf = (s: SegmentHourStamp): TrafficStamp => ({ rows: s.rows, lastReceivedUs: s.lastReceivedUs, llmCostNano: s.llmCostNano, llmUnpriced: s.llmUnpriced });

/** What the events table reads now for each hour in [fromMs, toMs) that has rows (UTC hours, aligned to the epoch). */
export async function hourStamps(db: Db, projectId: string, fromMs: number, toMs: number): Promise<Map<number, TrafficStamp>> {
  // date_bin on the timestamp itself: hours through extract(epoch) are numeric arithmetic per row, three times slower at 1M rows.
  const rows = rowsOf<{ hour_ms: number; rows: number; last_received_us: number; llm_cost_nano: number; llm_unpriced: number }>(
    await db.execute(sql`select (extract(epoch from date_bin('1 hour', ts, 'epoch'::timestamptz)) * 1000)::float8 as hour_ms, count(*)::float8 as rows,
      (extract(epoch from max(received_at)) * 1000000)::float8 as last_received_us,
      coalesce(sum(cost_nano_usd) filter (where kind = 'llm'), 0)::float8 as llm_cost_nano,
      (count(*) filter (where kind = 'llm' and cost_source = 'unpriced'))::float8 as llm_unpriced
      from events where project_id = ${projectId}::uuid and ts >= ${iso(fromMs)}::timestamptz and ts < ${iso(toMs)}::timestamptz
      and kind in ('llm', 'tool') and ${sql.raw(NOT_PLAYGROUND)} group by 1`),
  );
  const out = new Map<number, TrafficStamp>();
  for (const r of rows) {
    out.set(Number(r.hour_ms), { rows: Number(r.rows), lastReceivedUs: Number(r.last_received_us), llmCostNano: Number(r.llm_cost_nano), llmUnpriced: Number(r.llm_unpriced) });
  }
  return out;
}

/** A stored segment without its bytes: [startMs, endMs) and the stamp of each hour that held rows. */
export type SegmentInfo = { startMs: number; endMs: number; hours: Map<number, TrafficStamp> };

/** The stored segments of this format overlapping [fromMs, toMs) (no data read). */
export async function segmentsOverlapping(db: Db, projectId: string, fromMs: number, toMs: number): Promise<SegmentInfo[]> {
  const rows = rowsOf<{ start_ms: number; end_ms: number; hours: SegmentHourStamp[] | string }>(
    await db.execute(sql`select (extract(epoch from start_at) * 1000)::float8 as start_ms, (extract(epoch from end_at) * 1000)::float8 as end_ms, hours
      from advisor_traffic_segments where project_id = ${projectId}::uuid and start_at < ${iso(toMs)}::timestamptz
      and end_at > ${iso(fromMs)}::timestamptz and format = ${TRAFFIC_BLOCK_FORMAT}`),
  );
  return rows.map((r) => {
    const hours = typeof r.hours === "string" ? (JSON.parse(r.hours) as SegmentHourStamp[]) : r.hours;
    return { startMs: Number(r.start_ms), endMs: Number(r.end_ms), hours: new Map(hours.map((h) => [h.hourMs, stampOf(h)])) };
  });
}

type PgliteClient = { query: (q: string, params: unknown[]) => Promise<{ rows: Record<string, unknown>[] }> };

/**
 * The bytes of the segment starting at startMs, with its hours' stamps as stored alongside (so a
 * segment rewritten since its stamps were compared is still checked against its own); null when
 * gone. On Postgres a binary COPY: a select sends bytea hex-encoded, twice the size, to decode.
 */
export async function readSegment(db: Db, projectId: string, startMs: number): Promise<{ info: SegmentInfo; data: Uint8Array } | null> {
  if (!UUID.test(projectId)) throw new Error("readSegment: projectId is not a uuid");
  const where = `from advisor_traffic_segments where project_id = '${projectId}'::uuid and start_at = '${iso(startMs)}'::timestamptz and format = ${TRAFFIC_BLOCK_FORMAT}`;
  const client = (db as unknown as { $client?: unknown }).$client;
  let endMs: number;
  let hours: SegmentHourStamp[];
  let data: Uint8Array;
  if (client && typeof (client as Partial<PostgresJsCopy>).reserve === "function") {
    const bytes = await copyOut(client as PostgresJsCopy, `copy (select (extract(epoch from end_at) * 1000)::float8, hours::text, data ${where}) to stdout (format binary)`);
    const row = parseSegmentCopy(bytes);
    if (!row) return null;
    ({ endMs, data } = row);
    hours = JSON.parse(row.hours) as SegmentHourStamp[];
  } else if (client && typeof (client as Partial<PgliteClient>).query === "function") {
    const { rows } = await (client as PgliteClient).query(`select (extract(epoch from end_at) * 1000)::float8 as end_ms, hours, data ${where}`, []);
    const r = rows[0];
    if (!r) return null;
    endMs = Number(r.end_ms);
    hours = r.hours as SegmentHourStamp[];
    data = r.data as Uint8Array;
  } else {
    throw new Error("readSegment: unknown database client");
  }
  return { info: { startMs, endMs, hours: new Map(hours.map((h) => [h.hourMs, stampOf(h)])) }, data };
}

/** A COPY ... TO STDOUT's bytes, whole, on a connection of its own (see traffic-load.ts's copyInto for why). */
async function copyOut(client: PostgresJsCopy, q: string): Promise<Uint8Array> {
  const conn = await client.reserve();
  try {
    const query = conn.unsafe(q);
    const stream = (await query.readable()) as AsyncIterable<Uint8Array>;
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of stream) {
        chunks.push(chunk);
        size += chunk.length;
      }
    } finally {
      // As in traffic-load.ts: the socket may be left paused when the stream ended in one chunk with ReadyForQuery.
      (stream as unknown as { _read?: () => void })._read?.();
    }
    await Promise.resolve(query);
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  } finally {
    conn.release();
  }
}

/** The one tuple of a binary COPY of (end_ms float8, hours text, data bytea), or null for none. */
function parseSegmentCopy(b: Uint8Array): { endMs: number; hours: string; data: Uint8Array } | null {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 11 + 4;
  p += 4 + v.getInt32(p);
  const count = v.getInt16(p);
  p += 2;
  if (count === -1) return null;
  if (count !== 3) throw new Error(`advisor segment COPY tuple has ${count} fields`);
  const field = () => {
    const n = v.getInt32(p);
    const at = p + 4;
    p = at + Math.max(0, n);
    return b.subarray(at, at + Math.max(0, n));
  };
  const endMs = new DataView(field().slice().buffer).getFloat64(0);
  const hours = new TextDecoder().decode(field());
  return { endMs, hours, data: field() };
}

/**
 * Stores the settled whole hours of a loaded window (those ending before `settledBeforeMs`: late
 * events are still expected for newer ones) as one segment, with each hour's stamp summed from the rows stored, so a segment always says which events it holds. Not
 * written when every one of those hours is already stored and reads the same (returns false then).
 * A segment it fully covers, or one starting where it starts (the same day, grown by an hour),
 * is replaced; one it only overlaps stays, and the loader reads the segments that do not overlap.
 */
export async function writeSegment(db: Db, traffic: Traffic, settledBeforeMs: number): Promise<boolean> {
  const hours = wholeHours(traffic.fromMs, Math.min(traffic.toMs, settledBeforeMs));
  if (hours.length === 0) return false;
  const startMs = hours[0]!;
  const endMs = hours[hours.length - 1]! + HOUR_MS;
  const stamps = new Map<number, TrafficStamp>();
  for (const h of hours) {
    const s = stampOfRows(traffic, rowsBetween(traffic, h, h + HOUR_MS));
    if (s.rows > 0) stamps.set(h, s);
  }
  if (stamps.size === 0) return false;
  if (hoursStored(hours, stamps, await segmentsOverlapping(db, traffic.projectId, startMs, endMs))) return false;
  const data = new BlockEncoder(traffic).encode(rowsBetween(traffic, startMs, endMs));
  const list: SegmentHourStamp[] = [...stamps].map(([hourMs, s]) => ({ hourMs, ...s }));
  await db.transaction(async (tx) => {
    await tx.execute(sql`delete from advisor_traffic_segments where project_id = ${traffic.projectId}::uuid
      and ((start_at >= ${iso(startMs)}::timestamptz and end_at <= ${iso(endMs)}::timestamptz) or start_at = ${iso(startMs)}::timestamptz)`);
    await tx.execute(sql`insert into advisor_traffic_segments (project_id, start_at, end_at, format, hours, data)
      values (${traffic.projectId}::uuid, ${iso(startMs)}::timestamptz, ${iso(endMs)}::timestamptz, ${TRAFFIC_BLOCK_FORMAT}, ${JSON.stringify(list)}::jsonb,
      ${Buffer.from(data.buffer, data.byteOffset, data.byteLength)})`);
  });
  return true;
}

/**
 * Whether each hour reads the same in some stored segment covering it: an hour with rows has
 * that stamp there, an hour without rows is not stamped there (or no segment covers it). Some,
 * not all: a stale segment overlapping a newer one is not read for that hour (the loader reads
 * segments that do not overlap, and checks every hour's stamp), so it needs no rewrite.
 */
export function hoursStored(hours: number[], stamps: Map<number, TrafficStamp>, segments: SegmentInfo[]): boolean {
  return hours.every((h) => {
    const now = stamps.get(h);
    const covering = segments.filter((s) => s.startMs <= h && h < s.endMs);
    if (!now) return covering.length === 0 || covering.some((s) => !s.hours.has(h));
    return covering.some((s) => {
      const kept = s.hours.get(h);
      return kept !== undefined && sameStamp(kept, now);
    });
  });
}

/**
 * The segments to read for [fromMs, toMs): none overlapping another, most of the window first,
 * and of two covering as much, the shorter (less to decode). In time order. A segment is decoded
 * whole, so one with less than a quarter of it in the window is left out: the last hour's window
 * would otherwise decode a day to read an hour, which the events give faster.
 */
export function segmentsToRead(segments: SegmentInfo[], fromMs: number, toMs: number): SegmentInfo[] {
  const overlap = (s: SegmentInfo) => Math.min(toMs, s.endMs) - Math.max(fromMs, s.startMs);
  const ranked = segments.filter((s) => overlap(s) > 0 && overlap(s) * 4 >= s.endMs - s.startMs).sort((a, b) => overlap(b) - overlap(a) || a.endMs - a.startMs - (b.endMs - b.startMs) || a.startMs - b.startMs);
  const picked: SegmentInfo[] = [];
  for (const s of ranked) if (picked.every((p) => s.endMs <= p.startMs || s.startMs >= p.endMs)) picked.push(s);
  return picked.sort((a, b) => a.startMs - b.startMs);
}

/**
 * What the segments say they hold of [from, to), as one stamp. When the events table reads the
 * same over the range (windowStamp), every stored hour stands, and the per-hour stamps need not
 * be read. That check is one plain aggregate, which Postgres runs in parallel: 0.42 s at 1M rows
 * here, against 1.0-1.7 s for the per-hour one (a hash aggregate the planner, expecting a group
 * per row, does not split). It is the test the process's cache already trusts for a whole window:
 * an event added moves the latest received_at, one deleted the count, a repricing the summed
 * cost. Events in an hour no segment covers make the two differ, so the per-hour read follows.
 */
export function storedStamp(segments: SegmentInfo[], from: number, to: number): TrafficStamp {
  let held: TrafficStamp = { rows: 0, lastReceivedUs: 0, llmCostNano: 0, llmUnpriced: 0 };
  for (const s of segments) for (const [h, stamp] of s.hours) if (h >= from && h < to) held = addStamps(held, stamp);
  return held;
}

/** Retention: segments that end before the cutoff go with their events. */
export async function deleteSegmentsBefore(db: Db, cutoff: Date): Promise<number> {
  return rowsOf(await db.execute(sql`delete from advisor_traffic_segments where end_at <= ${cutoff.toISOString()}::timestamptz returning 1 as gone`)).length;
}
