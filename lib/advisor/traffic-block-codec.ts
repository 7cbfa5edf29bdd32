import { NONE, type RowRanges, type Traffic } from "./traffic";
import {
  builderDictionaries,
  ByteStrings,
  DICTIONARY_NAMES,
  LLM_KEYS,
  TOOL_KEYS,
  type LlmKey,
  type ToolKey,
  type TrafficBuilder,
  type TrafficDictionaries,
} from "./traffic-builder";

/**
 * One stored hour of a window's rows (traffic-blocks.ts), as bytes: its own small dictionaries,
 * then each column whole. Reading one back is copying columns and re-coding a few thousand
 * strings, where loading the same rows from the events table parses every field of every row
 * (and Postgres prints them): the load's two CPU halves, measured in bench:advisor.
 *
 * Layout, little-endian: magic, format, LLM rows, tool rows; per dictionary (DICTIONARY_NAMES
 * order) a count, each string's byte length, the bytes; the LLM columns in LLM_KEYS order, a
 * code column as a width byte (1, 2 or 4) and its codes into the block's dictionary (all ones for
 * none), any other column as its typed array's bytes; the LLM ids as lengths then bytes; the tool
 * columns in TOOL_KEYS order.
 */
export const TRAFFIC_BLOCK_FORMAT = 1;
const MAGIC = 0x31425750; // "PWB1"

/** Typed arrays are copied as their bytes, which are the host's order: blocks are only used on a little-endian host. */
export const BLOCKS_SUPPORTED = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type DictionaryName = (typeof DICTIONARY_NAMES)[number];

/** Which dictionary each code column codes into; the other columns are numbers. */
const LLM_CODES: Partial<Record<LlmKey, DictionaryName>> = {
  route: "routes",
  agent: "agents",
  session: "sessions",
  trace: "traces",
  parent: "spans",
  model: "models",
  requestedModel: "models",
  user: "users",
  tagSet: "tagSets",
  promptHash: "hashes",
  systemHash: "hashes",
};
const TOOL_CODES: Partial<Record<ToolKey, DictionaryName>> = {
  span: "spans",
  trace: "traces",
  parent: "spans",
  name: "toolNames",
  agent: "agents",
  session: "sessions",
};

type NumberArray = Float64Array | Int32Array | Uint32Array | Uint8Array;

/** A block that is not this format (another version wrote it, or it is cut short): treated as not stored. */
export class BlockFormatError extends Error {}

class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.length++] = v;
  }
  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  array(a: NumberArray, from: number, to: number): void {
    const bpe = a.BYTES_PER_ELEMENT;
    this.bytes(new Uint8Array(a.buffer, a.byteOffset + from * bpe, (to - from) * bpe));
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/**
 * Encodes hours of one Traffic (made by a builder). Its per-dictionary maps from the window's
 * codes to a block's are sized once and reset after each block, not allocated per block.
 */
export class BlockEncoder {
  private readonly dict: TrafficDictionaries;
  private readonly local: Record<DictionaryName, { map: Int32Array; list: number[] }>;

  constructor(private readonly traffic: Traffic) {
    const dict = builderDictionaries(traffic);
    if (!dict) throw new Error("BlockEncoder: dictionaries not from a builder");
    if (!(traffic.llm.id instanceof ByteStrings)) throw new Error("BlockEncoder: ids not from a builder");
    this.dict = dict;
    this.local = {} as Record<DictionaryName, { map: Int32Array; list: number[] }>;
    for (const name of DICTIONARY_NAMES) this.local[name] = { map: new Int32Array(dict[name].size).fill(NONE), list: [] };
  }

  /** The rows in `rows` as one block. */
  encode(rows: RowRanges): Uint8Array {
    const t = this.traffic;
    const [a, b] = rows.llm;
    const [c, d] = rows.tools;
    const llm = t.llm as unknown as Record<LlmKey, NumberArray>;
    const tools = t.tools as unknown as Record<ToolKey, NumberArray>;
    for (const [k, name] of Object.entries(LLM_CODES) as [LlmKey, DictionaryName][]) this.collect(name, llm[k] as Int32Array, a, b);
    for (const [k, name] of Object.entries(TOOL_CODES) as [ToolKey, DictionaryName][]) this.collect(name, tools[k] as Int32Array, c, d);
    const w = new ByteWriter();
    w.u32(MAGIC);
    w.u32(TRAFFIC_BLOCK_FORMAT);
    w.u32(b - a);
    w.u32(d - c);
    for (const name of DICTIONARY_NAMES) {
      const { list } = this.local[name];
      const dict = this.dict[name];
      w.u32(list.length);
      for (const g of list) w.u32(dict.bytesOf(g).length);
      for (const g of list) w.bytes(dict.bytesOf(g));
    }
    for (const k of LLM_KEYS) this.column(w, llm[k], LLM_CODES[k], a, b);
    const ids = t.llm.id as ByteStrings;
    for (let i = a; i < b; i++) w.u32(ids.bytesAt(i).length);
    for (let i = a; i < b; i++) w.bytes(ids.bytesAt(i));
    for (const k of TOOL_KEYS) this.column(w, tools[k], TOOL_CODES[k], c, d);
    for (const name of DICTIONARY_NAMES) {
      const l = this.local[name];
      for (const g of l.list) l.map[g] = NONE;
      l.list.length = 0;
    }
    return w.finish();
  }

  private collect(name: DictionaryName, col: Int32Array, from: number, to: number): void {
    const l = this.local[name];
    for (let i = from; i < to; i++) {
      const g = col[i]!;
      if (g !== NONE && l.map[g] === NONE) {
        l.map[g] = l.list.length;
        l.list.push(g);
      }
    }
  }

  private column(w: ByteWriter, col: NumberArray, name: DictionaryName | undefined, from: number, to: number): void {
    if (!name) return w.array(col, from, to);
    const l = this.local[name];
    const width = codeWidth(l.list.length);
    const codes = width === 1 ? new Uint8Array(to - from) : width === 2 ? new Uint16Array(to - from) : new Int32Array(to - from);
    for (let i = from; i < to; i++) {
      const g = col[i]!;
      codes[i - from] = g === NONE ? -1 : l.map[g]!;
    }
    w.u8(width);
    w.array(codes as NumberArray, 0, to - from);
  }
}

/** The narrowest width whose all-ones value (none) is not a code. */
function codeWidth(codes: number): 1 | 2 | 4 {
  return codes < 0xff ? 1 : codes < 0xffff ? 2 : 4;
}

class ByteReader {
  private readonly view: DataView;
  at = 0;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(n: number): void {
    if (this.at + n > this.buf.length) throw new BlockFormatError("traffic block cut short");
  }
  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.at, true);
    this.at += 4;
    return v;
  }
  /** `n` elements into dst from index `start`, as bytes. */
  into(dst: NumberArray, start: number, n: number): void {
    const bytes = n * dst.BYTES_PER_ELEMENT;
    this.need(bytes);
    new Uint8Array(dst.buffer, dst.byteOffset + start * dst.BYTES_PER_ELEMENT, bytes).set(this.buf.subarray(this.at, this.at + bytes));
    this.at += bytes;
  }
  /** `n` codes of the given width, each mapped through `map` (all ones: NONE). */
  codesInto(dst: Int32Array, start: number, n: number, map: Int32Array): void {
    const width = this.u8();
    if (width !== 1 && width !== 2 && width !== 4) throw new BlockFormatError(`traffic block code width ${width}`);
    this.need(n * width);
    const none = width === 4 ? -1 : width === 2 ? 0xffff : 0xff;
    const b = this.buf;
    const v = this.view;
    let p = this.at;
    for (let i = 0; i < n; i++, p += width) {
      const local = width === 1 ? b[p]! : width === 2 ? v.getUint16(p, true) : v.getInt32(p, true);
      if (local === none) dst[start + i] = NONE;
      else {
        const g = map[local];
        if (g === undefined) throw new BlockFormatError("traffic block code out of its dictionary");
        dst[start + i] = g;
      }
    }
    this.at = p;
  }
}

/**
 * Appends a block's rows to the builder (after the rows it holds), its strings coded into the
 * builder's dictionaries. Throws BlockFormatError for a block this code did not write; the builder
 * must then be dropped (it may hold part of the block).
 */
export function decodeBlockInto(bytes: Uint8Array, builder: TrafficBuilder): void {
  const r = new ByteReader(bytes);
  if (r.u32() !== MAGIC) throw new BlockFormatError("not a traffic block");
  const format = r.u32();
  if (format !== TRAFFIC_BLOCK_FORMAT) throw new BlockFormatError(`traffic block format ${format}, expected ${TRAFFIC_BLOCK_FORMAT}`);
  const nLlm = r.u32();
  const nTool = r.u32();
  const maps = {} as Record<DictionaryName, Int32Array>;
  for (const name of DICTIONARY_NAMES) {
    const count = r.u32();
    const lengths = new Uint32Array(count);
    for (let k = 0; k < count; k++) lengths[k] = r.u32();
    const map = new Int32Array(count);
    const dict = builder.dict[name];
    for (let k = 0; k < count; k++) {
      r.need(lengths[k]!);
      map[k] = dict.codeBytes(r.buf, r.at, r.at + lengths[k]!);
      r.at += lengths[k]!;
    }
    maps[name] = map;
  }
  const start = builder.nextLlmRows(nLlm);
  readColumns(r, LLM_KEYS, LLM_CODES, builder.llmColumns() as unknown as Record<LlmKey, NumberArray>, start, nLlm, maps);
  const lengths = new Uint32Array(nLlm);
  for (let i = 0; i < nLlm; i++) lengths[i] = r.u32();
  for (let i = 0; i < nLlm; i++) {
    r.need(lengths[i]!);
    builder.llmIds.push(r.buf, r.at, r.at + lengths[i]!);
    r.at += lengths[i]!;
  }
  const toolStart = builder.nextToolRows(nTool);
  readColumns(r, TOOL_KEYS, TOOL_CODES, builder.toolColumns() as unknown as Record<ToolKey, NumberArray>, toolStart, nTool, maps);
  if (r.at !== bytes.length) throw new BlockFormatError("traffic block has bytes past its end");
}

/** Each column of `keys` in order into cols[k] from row `start`: codes mapped into the builder's dictionaries, numbers copied. */
function readColumns<K extends string>(r: ByteReader, keys: K[], codes: Partial<Record<K, DictionaryName>>, cols: Record<K, NumberArray>, start: number, n: number, maps: Record<DictionaryName, Int32Array>): void {
  for (const k of keys) {
    const name = codes[k];
    if (name) r.codesInto(cols[k] as Int32Array, start, n, maps[name]);
    else r.into(cols[k], start, n);
  }
}
