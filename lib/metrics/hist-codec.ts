import { sql, type SQL } from "drizzle-orm";

/**
 * Histograms on disk: per non-empty bucket a big-endian int4 key then an int8 count (12 bytes),
 * sorted by key. Postgres builds the same bytes with int4send/int8send (see BUCKETS_AGG_SQL), and
 * a dashboard query decodes thousands of buckets in well under a millisecond.
 */
export type Hist = Map<number, number>;

const ENTRY = 12;
const TWO_32 = 4_294_967_296;

export function encodeHist(h: Hist): Buffer {
  const keys = [...h.keys()].filter((k) => (h.get(k) ?? 0) !== 0).sort((a, b) => a - b);
  const buf = Buffer.allocUnsafe(keys.length * ENTRY);
  keys.forEach((k, i) => {
    const n = h.get(k)!;
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`histogram count out of range: ${n}`);
    buf.writeInt32BE(k, i * ENTRY);
    buf.writeUInt32BE(Math.floor(n / TWO_32), i * ENTRY + 4);
    buf.writeUInt32BE(n % TWO_32, i * ENTRY + 8);
  });
  return buf;
}

/** Adds the encoded buckets into `into` (counts add up: histograms merge by addition). */
export function addEncoded(into: Hist, bytes: Uint8Array | null | undefined): void {
  if (!bytes || bytes.length === 0) return;
  if (bytes.length % ENTRY !== 0) throw new Error(`corrupt histogram: ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let o = 0; o < bytes.length; o += ENTRY) {
    const key = view.getInt32(o);
    const n = view.getUint32(o + 4) * TWO_32 + view.getUint32(o + 8);
    into.set(key, (into.get(key) ?? 0) + n);
  }
}

export function decodeHist(bytes: Uint8Array | null | undefined): Hist {
  const h: Hist = new Map();
  addEncoded(h, bytes);
  return h;
}

/** Postgres hex input for a bytea parameter sent inside JSON. */
export function hexBytea(buf: Buffer): string {
  return `\\x${buf.toString("hex")}`;
}

/** SQL aggregate producing the encoding from (key int, count bigint) rows. */
export function bucketsAggSql(key: SQL, count: SQL, filter?: SQL): SQL {
  const where = filter ? sql` filter (where ${filter})` : sql``;
  return sql`coalesce(string_agg(int4send(${key}) || int8send(${count}), ''::bytea order by ${key})${where}, ''::bytea)`;
}

/** postgres.js hands bytea back as a Buffer; PGlite as a Uint8Array; both decode the same. */
export function asBytes(v: unknown): Uint8Array | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string" && v.startsWith("\\x")) return Buffer.from(v.slice(2), "hex");
  throw new Error("unexpected histogram value");
}
