import type { EventStatus, ResponseCacheStatus } from "../events/event-enums";
import type { TokenUsage } from "../pricing/compute-cost";
import { NONE, RESPONSE_CACHE_CODE, STATUS_CODE, type Dictionary, type IdColumn, type LlmCalls, type RowRanges, type ToolSpans, type Traffic } from "./traffic";
import { sharedColumn } from "./shared-columns";

/** One LLM call as the builder takes it (the loader reuses one such object for every row). */
export type LlmRow = TokenUsage & {
  id: string;
  tsMs: number;
  route: string | null;
  agent: string | null;
  session: string | null;
  trace: string | null;
  parent: string | null;
  model: string | null;
  requestedModel: string | null;
  user: string | null;
  /** The tags object, or its JSON text as Postgres prints jsonb (same object, same text). */
  tags: string | Record<string, string>;
  promptHash: string | null;
  systemHash: string | null;
  status: EventStatus;
  responseCache: ResponseCacheStatus;
  streamed: boolean;
  unpriced: boolean;
  latencyMs: number | null;
  ttftMs: number | null;
  systemTokens: number | null;
  messageCount: number | null;
  toolCount: number | null;
  policyVersion: number | null;
  requestedCacheTtlSec: number | null;
  costNano: number;
  /** `received_at`, µs since the epoch (0 when made up by a test). */
  receivedUs?: number;
};

export type ToolRow = {
  id: string;
  tsMs: number;
  latencyMs: number | null;
  trace: string | null;
  parent: string | null;
  name: string | null;
  agent: string | null;
  session: string | null;
  status: EventStatus;
  /** As LlmRow.receivedUs. */
  receivedUs?: number;
};

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * FNV-1a over at most the first and last 12 bytes and the length: ids and hashes differ early
 * and late, and equality is still checked on every byte, so a collision only costs a compare.
 */
function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let h = Math.imul(0x811c9dc5 ^ (end - start), 0x01000193);
  const head = Math.min(end, start + 12);
  for (let i = start; i < head; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  for (let i = Math.max(head, end - 12); i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/**
 * Interned strings, from JS strings (tests, PGlite rows) or straight from bytes on the wire
 * (the COPY reader): a byte slice seen before gets its code without a string being made, which
 * is most of a million-row load's saving. Both spellings of a value get the same code.
 */
export class Interner implements Dictionary {
  private count = 0;
  private decoded: string[] = [];
  /**
   * Open addressing, two words a slot: the code (NONE: empty) and its hash, so a probe that
   * misses touches one cache line; then one pair of words per code (arena start, length) and the
   * bytes. Most of a million-row load was cache misses here when these were four arrays.
   */
  private table = new Int32Array(128).fill(NONE);
  private meta = new Uint32Array(128);
  private arena = new Uint8Array(4096);
  private used = 0;

  /** Codes handed out so far. */
  get size(): number {
    return this.count;
  }

  /** The strings by code, decoded on first read: most codes of a load (trace and hash values) are never shown. */
  get values(): string[] {
    for (let c = this.decoded.length; c < this.count; c++) this.decoded.push(utf8Decoder.decode(this.bytesOf(c)));
    return this.decoded;
  }

  code(value: string | null): number {
    if (value === null) return NONE;
    const bytes = utf8.encode(value);
    return this.codeBytes(bytes, 0, bytes.length);
  }

  /** The string of code c alone (decoded already, or made now and not kept). */
  at(c: number): string | undefined {
    if (c < this.decoded.length) return this.decoded[c];
    return c >= 0 && c < this.count ? utf8Decoder.decode(this.bytesOf(c)) : undefined;
  }

  /** Copies of the codes handed out so far, as a dictionary on another thread reads them (traffic-share.ts). */
  parts(): DictionaryParts {
    return { count: this.count, meta: this.meta.slice(0, 2 * this.count), arena: this.arena.slice(0, this.used) };
  }

  /** The UTF-8 bytes of code c (a view into the arena: read it before the next insert). */
  bytesOf(c: number): Uint8Array {
    const at = this.meta[2 * c]!;
    return this.arena.subarray(at, at + this.meta[2 * c + 1]!);
  }

  /** The code of the UTF-8 text in bytes[start, end). */
  codeBytes(bytes: Uint8Array, start: number, end: number): number {
    const h = fnv1a(bytes, start, end) | 0;
    const len = end - start;
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const c = table[2 * slot]!;
      if (c === NONE) return this.insert(slot, h, bytes, start, end);
      if (table[2 * slot + 1] === h && this.meta[2 * c + 1] === len && this.sameBytes(this.meta[2 * c]!, bytes, start, len)) return c;
    }
  }

  private sameBytes(at: number, bytes: Uint8Array, start: number, len: number): boolean {
    const arena = this.arena;
    for (let k = 0; k < len; k++) if (arena[at + k] !== bytes[start + k]) return false;
    return true;
  }

  private insert(slot: number, h: number, bytes: Uint8Array, start: number, end: number): number {
    const c = this.count++;
    if (2 * c + 1 >= this.meta.length) this.meta = grow(this.meta, Uint32Array);
    const len = end - start;
    while (this.used + len > this.arena.length) this.arena = grow(this.arena, Uint8Array);
    copyBytes(bytes, start, end, this.arena, this.used);
    this.meta[2 * c] = this.used;
    this.meta[2 * c + 1] = len;
    this.used += len;
    this.table[2 * slot] = c;
    this.table[2 * slot + 1] = h;
    if (this.count * 2 > this.table.length >> 1) this.rehash();
    return c;
  }

  private rehash(): void {
    const old = this.table;
    const table = new Int32Array(old.length * 2).fill(NONE);
    const mask = (table.length >> 1) - 1;
    for (let s = 0; s < old.length; s += 2) {
      const c = old[s]!;
      if (c === NONE) continue;
      let slot = old[s + 1]! & mask;
      while (table[2 * slot] !== NONE) slot = (slot + 1) & mask;
      table[2 * slot] = c;
      table[2 * slot + 1] = old[s + 1]!;
    }
    this.table = table;
  }
}

/**
 * bytes[start, end) into dst at `at`, by hand: the COPY reader's chunks are Buffers, whose
 * `subarray` makes a Buffer object per call, and a profile of a 1M load spent 0.25 s there for
 * values of a few dozen bytes.
 */
function copyBytes(bytes: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): void {
  for (let k = start; k < end; k++) dst[at++] = bytes[k]!;
}

function grow<T extends Uint8Array | Uint32Array>(a: T, ctor: { new (n: number): T }): T {
  const b = new ctor(a.length * 2);
  b.set(a);
  return b;
}

/** An Interner's strings as bytes: code c is arena[meta[2c], meta[2c] + meta[2c + 1]). */
export type DictionaryParts = { count: number; meta: Uint32Array; arena: Uint8Array };

/** A ByteStrings' rows as bytes: row i is bytes[starts[i], ends[i]). */
export type ByteStringsParts = { length: number; bytes: Uint8Array; starts: Uint32Array; ends: Uint32Array };

/** Unique strings (event ids) kept as UTF-8 bytes and decoded only when read: ids are shown for a few examples, never scanned. */
export class ByteStrings implements IdColumn {
  // ArrayBufferLike: the helper thread's copy sits on the main thread's SharedArrayBuffer (traffic-share.ts).
  private bytes: Uint8Array = new Uint8Array(1 << 16);
  private used = 0;
  private starts: Uint32Array;
  private ends: Uint32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.starts = new Uint32Array(capacity);
    this.ends = new Uint32Array(capacity);
  }
  /** Room for `rows` strings in all. */
  reserve(rows: number): void {
    if (rows <= this.starts.length) return;
    const starts = new Uint32Array(rows);
    const ends = new Uint32Array(rows);
    starts.set(this.starts.subarray(0, this.length));
    ends.set(this.ends.subarray(0, this.length));
    this.starts = starts;
    this.ends = ends;
  }
  push(bytes: Uint8Array, start: number, end: number): void {
    if (this.length === this.starts.length) {
      this.starts = grow(this.starts, Uint32Array);
      this.ends = grow(this.ends, Uint32Array);
    }
    const len = end - start;
    while (this.used + len > this.bytes.length) this.bytes = grow(this.bytes, Uint8Array);
    copyBytes(bytes, start, end, this.bytes, this.used);
    this.starts[this.length] = this.used;
    this.used += len;
    this.ends[this.length++] = this.used;
  }
  pushString(value: string): void {
    const b = utf8.encode(value);
    this.push(b, 0, b.length);
  }
  /** The rows' bytes, for another thread (shared, not copied, when they sit on a SharedArrayBuffer). */
  parts(): ByteStringsParts {
    return { length: this.length, bytes: this.bytes.subarray(0, this.used), starts: this.starts.subarray(0, this.length), ends: this.ends.subarray(0, this.length) };
  }

  /** Empty, with room for `rows` strings of `bytes` bytes in all, on shared memory (a Traffic's final ids: shared-columns.ts). */
  private static sharedFor(rows: number, bytes: number): ByteStrings {
    const out = new ByteStrings(0);
    out.starts = sharedColumn(Uint32Array, rows);
    out.ends = sharedColumn(Uint32Array, rows);
    out.bytes = sharedColumn(Uint8Array, Math.max(1, bytes));
    return out;
  }

  /** The strings of parts() (on the thread that received them). */
  static fromParts(p: ByteStringsParts): ByteStrings {
    const out = new ByteStrings(0);
    out.bytes = p.bytes;
    out.used = p.bytes.length;
    out.starts = p.starts;
    out.ends = p.ends;
    out.length = p.length;
    return out;
  }

  /** The UTF-8 bytes of string i (a view). */
  bytesAt(i: number): Uint8Array {
    return this.bytes.subarray(this.starts[i]!, this.ends[i]!);
  }
  at(i: number): string | undefined {
    if (i < 0 || i >= this.length) return undefined;
    return utf8Decoder.decode(this.bytes.subarray(this.starts[i]!, this.ends[i]!));
  }
  /**
   * Rows [from, to) of `head` followed by all of `tail`: one window moved forward (see
   * traffic-extend.ts). Only those rows' bytes are copied, so the ids of the rows a move drops go.
   */
  static joined(head: ByteStrings, from: number, to: number, tail: ByteStrings): ByteStrings {
    let size = tail.used;
    for (let i = from; i < to; i++) size += head.ends[i]! - head.starts[i]!;
    const out = ByteStrings.sharedFor(to - from + tail.length, size);
    const dst = out.bytes;
    const src = head.bytes;
    let at = 0;
    let row = 0;
    for (let i = from; i < to; i++, row++) {
      out.starts[row] = at;
      for (let k = head.starts[i]!, end = head.ends[i]!; k < end; k++) dst[at++] = src[k]!;
      out.ends[row] = at;
    }
    dst.set(tail.bytes.subarray(0, tail.used), at);
    for (let k = 0; k < tail.length; k++, row++) {
      out.starts[row] = tail.starts[k]! + at;
      out.ends[row] = tail.ends[k]! + at;
    }
    out.used = at + tail.used;
    out.length = row;
    return out;
  }
  /** Strings [from, to) of each part, in order: the pieces of one window, one after the other (traffic-segments-load.ts). */
  static concat(parts: { ids: ByteStrings; from: number; to: number }[]): ByteStrings {
    let size = 0;
    let rows = 0;
    for (const p of parts) {
      for (let k = p.from; k < p.to; k++) size += p.ids.ends[k]! - p.ids.starts[k]!;
      rows += p.to - p.from;
    }
    const out = ByteStrings.sharedFor(Math.max(1, rows), size);
    let at = 0;
    let row = 0;
    for (const { ids, from, to } of parts) {
      if (to <= from) continue;
      // A builder's ids lie in its arena in row order until they are permuted; else copy one by one.
      const first = ids.starts[from]!;
      const last = ids.ends[to - 1]!;
      let contiguous = true;
      for (let k = from + 1; k < to && contiguous; k++) contiguous = ids.starts[k] === ids.ends[k - 1];
      if (contiguous) {
        out.bytes.set(ids.bytes.subarray(first, last), at);
        for (let k = from; k < to; k++, row++) {
          out.starts[row] = ids.starts[k]! - first + at;
          out.ends[row] = ids.ends[k]! - first + at;
        }
        at += last - first;
      } else {
        for (let k = from; k < to; k++, row++) {
          out.starts[row] = at;
          out.bytes.set(ids.bytes.subarray(ids.starts[k]!, ids.ends[k]!), at);
          at += ids.ends[k]! - ids.starts[k]!;
          out.ends[row] = at;
        }
      }
    }
    out.used = at;
    out.length = row;
    return out;
  }
  /** The same strings in `order` (row i of the result is row order[i] of this). */
  permuted(order: Uint32Array | null): ByteStrings {
    const n = this.length;
    const out = new ByteStrings(0);
    out.bytes = this.bytes;
    out.used = this.used;
    out.length = n;
    out.starts = sharedColumn(Uint32Array, n);
    out.ends = sharedColumn(Uint32Array, n);
    for (let i = 0; i < n; i++) {
      const k = order ? order[i]! : i;
      out.starts[i] = this.starts[k]!;
      out.ends[i] = this.ends[k]!;
    }
    return out;
  }
}

type TypedArray = Float64Array | Int32Array | Uint32Array | Uint8Array;
/** A column's constructor: by length (while building), or on a buffer (the final columns sit on shared memory: shared-columns.ts). */
type Ctor<T extends TypedArray> = { new (n: number): T; new (buffer: SharedArrayBuffer | ArrayBuffer): T; BYTES_PER_ELEMENT: number };
type SharedCtor = Ctor<TypedArray>;

/** Typed columns that double when full and are cut to length at the end. */
class Columns<K extends string> {
  length = 0;
  private capacity: number;
  cols: Record<K, TypedArray>;
  private readonly ctors: Record<K, Ctor<TypedArray>>;
  constructor(ctors: Record<K, Ctor<TypedArray>>, capacity: number) {
    this.ctors = ctors;
    this.capacity = capacity;
    this.cols = {} as Record<K, TypedArray>;
    for (const k of Object.keys(ctors) as K[]) this.cols[k] = new ctors[k](capacity);
  }
  /** Room for one more row; returns its index. */
  next(): number {
    if (this.length === this.capacity) this.resize(this.capacity * 2);
    return this.length++;
  }
  /** Room for `rows` rows in all, allocated now. */
  reserve(rows: number): void {
    if (rows > this.capacity) this.resize(rows);
  }
  /** Room for n more rows; returns the first one's index (the columns may have grown: read them after). */
  nextRows(n: number): number {
    if (this.length + n > this.capacity) this.resize(Math.max(this.length + n, this.capacity * 2));
    const start = this.length;
    this.length += n;
    return start;
  }
  private resize(capacity: number): void {
    this.capacity = capacity;
    for (const k of Object.keys(this.ctors) as K[]) {
      const grown = new this.ctors[k](capacity);
      grown.set(this.cols[k].subarray(0, this.length) as never);
      this.cols[k] = grown;
    }
  }
  /** Columns of exactly `length` rows, reordered by `order` when given. */
  finish(order: Uint32Array | null): Record<K, TypedArray> {
    const out = {} as Record<K, TypedArray>;
    for (const k of Object.keys(this.ctors) as K[]) {
      const src = this.cols[k];
      if (!order) {
        const col = sharedColumn(this.ctors[k] as SharedCtor, this.length);
        col.set(src.subarray(0, this.length) as never);
        out[k] = col;
        continue;
      }
      out[k] = gathered(src, order, this.length);
    }
    return out;
  }
}

/**
 * `src` reordered by `order` (row i is src[order[i]]), one loop per array type: one loop over all
 * four types is polymorphic at its element loads and stores (profiled on 1M rows: 0.4 s -> 0.3 s).
 */
function gathered(src: TypedArray, order: Uint32Array, n: number): TypedArray {
  if (src instanceof Float64Array) return gatherF64(src, order, n);
  if (src instanceof Int32Array) return gatherI32(src, order, n);
  if (src instanceof Uint32Array) return gatherU32(src, order, n);
  return gatherU8(src, order, n);
}
function gatherF64(src: Float64Array, order: Uint32Array, n: number): Float64Array {
  const dst = sharedColumn(Float64Array, n);
  for (let i = 0; i < n; i++) dst[i] = src[order[i]!]!;
  return dst;
}
function gatherI32(src: Int32Array, order: Uint32Array, n: number): Int32Array {
  const dst = sharedColumn(Int32Array, n);
  for (let i = 0; i < n; i++) dst[i] = src[order[i]!]!;
  return dst;
}
function gatherU32(src: Uint32Array, order: Uint32Array, n: number): Uint32Array {
  const dst = sharedColumn(Uint32Array, n);
  for (let i = 0; i < n; i++) dst[i] = src[order[i]!]!;
  return dst;
}
function gatherU8(src: Uint8Array, order: Uint32Array, n: number): Uint8Array {
  const dst = sharedColumn(Uint8Array, n);
  for (let i = 0; i < n; i++) dst[i] = src[order[i]!]!;
  return dst;
}

const LLM_COLUMNS = {
  tsMs: Float64Array,
  route: Int32Array,
  agent: Int32Array,
  session: Int32Array,
  trace: Int32Array,
  parent: Int32Array,
  model: Int32Array,
  requestedModel: Int32Array,
  user: Int32Array,
  tagSet: Int32Array,
  promptHash: Int32Array,
  systemHash: Int32Array,
  status: Uint8Array,
  responseCache: Uint8Array,
  streamed: Uint8Array,
  unpriced: Uint8Array,
  latencyMs: Float64Array,
  ttftMs: Float64Array,
  inputTokens: Uint32Array,
  outputTokens: Uint32Array,
  cacheReadTokens: Uint32Array,
  cacheWrite5mTokens: Uint32Array,
  cacheWrite1hTokens: Uint32Array,
  systemTokens: Int32Array,
  messageCount: Int32Array,
  toolCount: Int32Array,
  policyVersion: Int32Array,
  requestedCacheTtlSec: Int32Array,
  costNano: Float64Array,
  receivedUs: Float64Array,
} satisfies Record<Exclude<keyof LlmCalls, "length" | "id">, Ctor<TypedArray>>;

const TOOL_COLUMNS = {
  span: Int32Array,
  tsMs: Float64Array,
  latencyMs: Float64Array,
  trace: Int32Array,
  parent: Int32Array,
  name: Int32Array,
  agent: Int32Array,
  session: Int32Array,
  status: Uint8Array,
  receivedUs: Float64Array,
} satisfies Record<Exclude<keyof ToolSpans, "length">, Ctor<TypedArray>>;

export type LlmKey = keyof typeof LLM_COLUMNS;
export type ToolKey = keyof typeof TOOL_COLUMNS;
export const LLM_KEYS = Object.keys(LLM_COLUMNS) as LlmKey[];
export const TOOL_KEYS = Object.keys(TOOL_COLUMNS) as ToolKey[];

/** Each column's rows [from, to) of `head` followed by all of `tail`'s rows (a new array per column). */
function joinedColumns<K extends string>(keys: K[], head: Record<K, TypedArray>, from: number, to: number, tail: Record<K, TypedArray>, tailLength: number): Record<K, TypedArray> {
  const out = {} as Record<K, TypedArray>;
  for (const k of keys) {
    const h = head[k];
    const col = sharedColumn(h.constructor as SharedCtor, to - from + tailLength);
    col.set(h.subarray(from, to) as never);
    col.set(tail[k].subarray(0, tailLength) as never, to - from);
    out[k] = col;
  }
  return out;
}

/**
 * `head`'s rows in `keep`, then all of `tail`'s, whose rows all come later in time and were coded
 * into `head`'s dictionaries (a builder given them): one window moved forward, without loading
 * what it kept (traffic-extend.ts).
 */
export function joinedTraffic(head: Traffic, keep: RowRanges, tail: Traffic, window: { fromMs: number; toMs: number }): Traffic {
  if (!(head.llm.id instanceof ByteStrings) || !(tail.llm.id instanceof ByteStrings)) throw new Error("joinedTraffic: ids not from a builder");
  const [llmFrom, llmTo] = keep.llm;
  const [toolFrom, toolTo] = keep.tools;
  const llm = joinedColumns(LLM_KEYS, head.llm as unknown as Record<LlmKey, TypedArray>, llmFrom, llmTo, tail.llm as unknown as Record<LlmKey, TypedArray>, tail.llm.length);
  const tools = joinedColumns(TOOL_KEYS, head.tools as unknown as Record<ToolKey, TypedArray>, toolFrom, toolTo, tail.tools as unknown as Record<ToolKey, TypedArray>, tail.tools.length);
  const llmLength = llmTo - llmFrom + tail.llm.length;
  const toolLength = toolTo - toolFrom + tail.tools.length;
  // Every field named (no spread of tail), so a field added to Traffic fails here until it is joined too.
  return {
    projectId: head.projectId,
    fromMs: window.fromMs,
    toMs: window.toMs,
    llm: { length: llmLength, id: ByteStrings.joined(head.llm.id, llmFrom, llmTo, tail.llm.id), ...(llm as unknown as Omit<LlmCalls, "length" | "id">) },
    tools: { length: toolLength, ...(tools as unknown as Omit<ToolSpans, "length">) },
    // The dictionaries are head's, shared (the tail was coded into them).
    routes: tail.routes,
    agents: tail.agents,
    sessions: tail.sessions,
    traces: tail.traces,
    spans: tail.spans,
    models: tail.models,
    users: tail.users,
    hashes: tail.hashes,
    toolNames: tail.toolNames,
    tagSets: tail.tagSets,
    // tail.tags holds every tag set of the shared dictionary, head's included.
    tags: tail.tags,
  };
}
/** Each column's rows [from, to) of every part, in order (a new array per column). */
function concatColumns<K extends string>(keys: K[], parts: { from: number; to: number; cols: Record<K, TypedArray> }[]): Record<K, TypedArray> {
  const out = {} as Record<K, TypedArray>;
  let n = 0;
  for (const p of parts) n += p.to - p.from;
  for (const k of keys) {
    const col = sharedColumn(parts[0]!.cols[k].constructor as SharedCtor, n);
    let at = 0;
    for (const p of parts) {
      col.set(p.cols[k].subarray(p.from, p.to) as never, at);
      at += p.to - p.from;
    }
    out[k] = col;
  }
  return out;
}

/**
 * The given rows of each part, one after the other: pieces of one window in time order (each
 * piece's rows start at or after the previous piece's last), all coded into the same dictionaries
 * (builders given them), as traffic-segments-load.ts loads a window from a stored segment and the
 * rows around it.
 */
export function concatTraffic(parts: { traffic: Traffic; rows: RowRanges }[], window: { projectId: string; fromMs: number; toMs: number }): Traffic {
  if (parts.length === 0) throw new Error("concatTraffic: no parts");
  const dict = builderDictionaries(parts[0]!.traffic);
  if (!dict) throw new Error("concatTraffic: dictionaries not from a builder");
  for (const { traffic: p } of parts) {
    const d = builderDictionaries(p);
    if (!d || DICTIONARY_NAMES.some((name) => d[name] !== dict[name])) throw new Error("concatTraffic: parts coded into different dictionaries");
    if (!(p.llm.id instanceof ByteStrings)) throw new Error("concatTraffic: ids not from a builder");
  }
  const llm = concatColumns(LLM_KEYS, parts.map((p) => ({ from: p.rows.llm[0], to: p.rows.llm[1], cols: p.traffic.llm as unknown as Record<LlmKey, TypedArray> })));
  const tools = concatColumns(TOOL_KEYS, parts.map((p) => ({ from: p.rows.tools[0], to: p.rows.tools[1], cols: p.traffic.tools as unknown as Record<ToolKey, TypedArray> })));
  let llmLength = 0;
  let toolLength = 0;
  for (const p of parts) {
    llmLength += p.rows.llm[1] - p.rows.llm[0];
    toolLength += p.rows.tools[1] - p.rows.tools[0];
  }
  const ids = ByteStrings.concat(parts.map((p) => ({ ids: p.traffic.llm.id as ByteStrings, from: p.rows.llm[0], to: p.rows.llm[1] })));
  return {
    ...window,
    llm: { length: llmLength, id: ids, ...(llm as unknown as Omit<LlmCalls, "length" | "id">) },
    tools: { length: toolLength, ...(tools as unknown as Omit<ToolSpans, "length">) },
    routes: dict.routes,
    agents: dict.agents,
    sessions: dict.sessions,
    traces: dict.traces,
    spans: dict.spans,
    models: dict.models,
    users: dict.users,
    hashes: dict.hashes,
    toolNames: dict.toolNames,
    tagSets: dict.tagSets,
    // Parsed once the last part is coded: an earlier part's list lacks the later parts' tag sets.
    tags: dict.tagSets.values.map((json) => JSON.parse(json) as Record<string, string>),
  };
}

/** The columns as the COPY reader writes them, each with its own array type. */
export type LlmColumnArrays = { [K in LlmKey]: InstanceType<(typeof LLM_COLUMNS)[K]> };
export type ToolColumnArrays = { [K in ToolKey]: InstanceType<(typeof TOOL_COLUMNS)[K]> };

function canonicalTags(tags: Record<string, string>): string {
  // Postgres prints jsonb keys shortest first, then bytewise: the same order, so a tags object
  // from a test and the same object read from the database intern to one code.
  const keys = Object.keys(tags).sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${JSON.stringify(k)}: ${JSON.stringify(tags[k])}`).join(", ")}}`;
}

const orNone = (v: number | null) => (v === null ? NONE : v);
const orNaN = (v: number | null) => (v === null ? Number.NaN : v);

/**
 * The permutation that sorts rows by time (ties by arrival), or null when they already are.
 * Sorting packed numbers (whole ms since the first row, times 2^bits, plus the row) with the
 * typed array's native sort is several times faster than a comparator over a million rows; an
 * insertion pass then orders the sub-millisecond ties. Too wide a span to pack: comparator sort.
 */
function timeOrder(ts: Float64Array, n: number): Uint32Array | null {
  let sorted = true;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    if (i > 0 && ts[i - 1]! > t) sorted = false;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  if (sorted) return null;
  const bits = Math.ceil(Math.log2(n + 1));
  const scale = 2 ** bits;
  let order: Uint32Array;
  if ((Math.floor(max - min) + 1) * scale < Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = Math.floor(ts[i]! - min) * scale + i;
    keys.sort();
    order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = keys[i]! % scale;
  } else {
    order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => ts[a]! - ts[b]! || a - b);
  }
  for (let i = 1; i < n; i++) {
    const k = order[i]!;
    let j = i - 1;
    while (j >= 0 && ts[order[j]!]! > ts[k]!) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = k;
  }
  return order;
}

/** A Traffic's dictionaries as a builder codes into them. */
export type TrafficDictionaries = Record<DictionaryName, Interner>;
export const DICTIONARY_NAMES = ["routes", "agents", "sessions", "traces", "spans", "models", "users", "hashes", "toolNames", "tagSets"] as const;
type DictionaryName = (typeof DICTIONARY_NAMES)[number];
/** Traffic's dictionary fields: a dictionary added to Traffic and not to the list fails here. */
type TrafficDictionaryField = { [K in keyof Traffic]-?: Traffic[K] extends Dictionary ? K : never }[keyof Traffic];
const _everyDictionaryListed: [Exclude<TrafficDictionaryField, DictionaryName>, Exclude<DictionaryName, TrafficDictionaryField>] extends [never, never] ? true : never = true;
void _everyDictionaryListed;

/** The dictionaries of a Traffic a builder made (a Traffic built by hand may hold plain ones: null). */
export function builderDictionaries(traffic: Traffic): TrafficDictionaries | null {
  const out = {} as TrafficDictionaries;
  for (const name of DICTIONARY_NAMES) {
    const d = traffic[name];
    if (!(d instanceof Interner)) return null;
    out[name] = d;
  }
  return out;
}

/**
 * Builds a Traffic row by row: the loader feeds it database rows, tests feed it events they make
 * up. Rows may come in any order; `finish` puts them in time order. The COPY reader writes
 * columns directly (`nextLlm`, `llmColumns`, `dict`, `llmIds`) to skip the row object.
 */
export class TrafficBuilder {
  private readonly llm: Columns<LlmKey>;
  private readonly tool: Columns<ToolKey>;
  readonly llmIds: ByteStrings;
  readonly dict: TrafficDictionaries;

  /**
   * `dict`: another Traffic's dictionaries to code into (they only grow, so its codes stay valid),
   * so this one's rows can be joined to its rows (see traffic-extend.ts).
   */
  constructor(
    private readonly window: { projectId: string; fromMs: number; toMs: number },
    capacity = 1024,
    dict?: TrafficDictionaries,
  ) {
    this.llm = new Columns(LLM_COLUMNS, Math.max(1, capacity));
    this.tool = new Columns(TOOL_COLUMNS, 1024);
    this.llmIds = new ByteStrings(Math.max(1, capacity));
    this.dict = dict ?? {
      routes: new Interner(),
      agents: new Interner(),
      sessions: new Interner(),
      traces: new Interner(),
      spans: new Interner(),
      models: new Interner(),
      users: new Interner(),
      hashes: new Interner(),
      toolNames: new Interner(),
      tagSets: new Interner(),
    };
  }

  get llmCount(): number {
    return this.llm.length;
  }

  /** Room for `rows` LLM calls (a size hint: more still fit), so the columns are not regrown as they fill. */
  reserveLlm(rows: number): void {
    this.llm.reserve(rows);
    this.llmIds.reserve(rows);
  }

  /** A new LLM row's index; its columns are `llmColumns()` (read after this call: they may have grown). */
  nextLlm(): number {
    return this.llm.next();
  }
  llmColumns(): LlmColumnArrays {
    return this.llm.cols as unknown as LlmColumnArrays;
  }
  nextTool(): number {
    return this.tool.next();
  }
  /** Room for n more LLM calls (their ids are pushed by the caller); the first one's index. */
  nextLlmRows(n: number): number {
    return this.llm.nextRows(n);
  }
  nextToolRows(n: number): number {
    return this.tool.nextRows(n);
  }
  toolColumns(): ToolColumnArrays {
    return this.tool.cols as unknown as ToolColumnArrays;
  }

  addLlm(r: LlmRow): void {
    const i = this.llm.next();
    const c = this.llmColumns();
    const d = this.dict;
    this.llmIds.pushString(r.id);
    c.tsMs[i] = r.tsMs;
    c.route[i] = d.routes.code(r.route);
    c.agent[i] = d.agents.code(r.agent);
    c.session[i] = d.sessions.code(r.session);
    c.trace[i] = d.traces.code(r.trace);
    c.parent[i] = d.spans.code(r.parent);
    c.model[i] = d.models.code(r.model);
    c.requestedModel[i] = d.models.code(r.requestedModel);
    c.user[i] = d.users.code(r.user);
    c.tagSet[i] = d.tagSets.code(typeof r.tags === "string" ? r.tags : canonicalTags(r.tags));
    c.promptHash[i] = d.hashes.code(r.promptHash);
    c.systemHash[i] = d.hashes.code(r.systemHash);
    c.status[i] = STATUS_CODE[r.status];
    c.responseCache[i] = RESPONSE_CACHE_CODE[r.responseCache];
    c.streamed[i] = r.streamed ? 1 : 0;
    c.unpriced[i] = r.unpriced ? 1 : 0;
    c.latencyMs[i] = orNaN(r.latencyMs);
    c.ttftMs[i] = orNaN(r.ttftMs);
    c.inputTokens[i] = r.inputTokens;
    c.outputTokens[i] = r.outputTokens;
    c.cacheReadTokens[i] = r.cacheReadTokens;
    c.cacheWrite5mTokens[i] = r.cacheWrite5mTokens;
    c.cacheWrite1hTokens[i] = r.cacheWrite1hTokens;
    c.systemTokens[i] = orNone(r.systemTokens);
    c.messageCount[i] = orNone(r.messageCount);
    c.toolCount[i] = orNone(r.toolCount);
    c.policyVersion[i] = orNone(r.policyVersion);
    c.requestedCacheTtlSec[i] = orNone(r.requestedCacheTtlSec);
    c.costNano[i] = r.costNano;
    c.receivedUs[i] = r.receivedUs ?? 0;
  }

  addTool(r: ToolRow): void {
    const i = this.tool.next();
    const c = this.toolColumns();
    const d = this.dict;
    c.span[i] = d.spans.code(r.id);
    c.tsMs[i] = r.tsMs;
    c.latencyMs[i] = orNaN(r.latencyMs);
    c.trace[i] = d.traces.code(r.trace);
    c.parent[i] = d.spans.code(r.parent);
    c.name[i] = d.toolNames.code(r.name);
    c.agent[i] = d.agents.code(r.agent);
    c.session[i] = d.sessions.code(r.session);
    c.status[i] = STATUS_CODE[r.status];
    c.receivedUs[i] = r.receivedUs ?? 0;
  }

  finish(): Traffic {
    const n = this.llm.length;
    const llmOrder = timeOrder(this.llm.cols.tsMs as Float64Array, n);
    const llmCols = this.llm.finish(llmOrder);
    const ids = this.llmIds.permuted(llmOrder);
    const toolOrder = timeOrder(this.tool.cols.tsMs as Float64Array, this.tool.length);
    const toolCols = this.tool.finish(toolOrder);
    const d = this.dict;
    return {
      ...this.window,
      llm: { length: n, id: ids, ...(llmCols as unknown as Omit<LlmCalls, "length" | "id">) },
      tools: { length: this.tool.length, ...(toolCols as unknown as Omit<ToolSpans, "length">) },
      routes: d.routes,
      agents: d.agents,
      sessions: d.sessions,
      traces: d.traces,
      spans: d.spans,
      models: d.models,
      users: d.users,
      hashes: d.hashes,
      toolNames: d.toolNames,
      tagSets: d.tagSets,
      tags: d.tagSets.values.map((json) => JSON.parse(json) as Record<string, string>),
    };
  }
}
