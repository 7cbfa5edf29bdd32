import { NONE, RESPONSE_CACHE_CODE, STATUS_CODE } from "./traffic";
import type { Interner, TrafficBuilder } from "./traffic-builder";

/**
 * The select list the COPY reader expects, in this order, as Postgres's binary COPY format writes
 * it: text as UTF-8, timestamptz as int64 µs since 2000-01-01, float8 and int4/int8 big-endian,
 * bool as one byte, jsonb as a version byte and its text.
 */
export const COPY_COLUMNS = `kind, id, ts, route, agent, session_id, trace_id, parent_id, model, requested_model, user_id,
  tags, prompt_hash, system_hash, status, response_cache, streamed, cost_source, latency_ms, ttft_ms, input_tokens,
  output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, system_tokens, message_count,
  tool_count, policy_version, cost_nano_usd, case when kind = 'tool' then metadata->>'name' end, received_at,
  requested_cache_ttl_sec`;
const FIELDS = 33;

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
const PG_EPOCH_MS = 946_684_800_000;
/** Postgres's timestamp epoch (2000-01-01) in µs since the Unix epoch. */
const PG_EPOCH_US = PG_EPOCH_MS * 1000;
const TWO_32 = 4_294_967_296;

const STATUS_BY_FIRST_BYTE: Record<number, number> = { 0x6f: STATUS_CODE.ok, 0x65: STATUS_CODE.error, 0x61: STATUS_CODE.aborted };
const CACHE_BY_FIRST_BYTE: Record<number, number> = {
  0x68: RESPONSE_CACHE_CODE.hit,
  0x6d: RESPONSE_CACHE_CODE.miss,
  0x62: RESPONSE_CACHE_CODE.bypass,
  0x6e: RESPONSE_CACHE_CODE.none,
};
const EMPTY_TAGS = "{}";

/**
 * Reads a `COPY (select COPY_COLUMNS ...) TO STDOUT (FORMAT binary)` stream straight into a
 * TrafficBuilder's columns: numbers are read from the bytes, strings are interned from the bytes
 * (no JS string unless the value is new), ids are kept as bytes. A profile of the row-object path
 * (postgres.js arrays) spent most of its time making strings and values nobody keeps.
 */
export class CopyBinaryReader {
  private buf: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  private headerDone = false;
  private ended = false;
  private readonly off = new Int32Array(FIELDS);
  private readonly len = new Int32Array(FIELDS);
  private readonly emptyTags: number;

  constructor(private readonly builder: TrafficBuilder) {
    this.emptyTags = builder.dict.tagSets.code(EMPTY_TAGS);
  }

  get done(): boolean {
    return this.ended;
  }

  push(chunk: Uint8Array): void {
    if (this.pos < this.buf.length) {
      const joined = new Uint8Array(this.buf.length - this.pos + chunk.length);
      joined.set(this.buf.subarray(this.pos));
      joined.set(chunk, this.buf.length - this.pos);
      this.buf = joined;
    } else {
      this.buf = chunk;
    }
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = 0;
    if (!this.headerDone && !this.readHeader()) return;
    while (!this.ended && this.readTuple());
  }

  /** Throws when the stream stopped inside a tuple or before the trailer. */
  end(): void {
    if (!this.ended) throw new Error("COPY stream ended before its trailer");
  }

  private readHeader(): boolean {
    const b = this.buf;
    if (b.length < 19) return false;
    for (let k = 0; k < SIGNATURE.length; k++) if (b[k] !== SIGNATURE[k]) throw new Error("not a binary COPY stream");
    const ext = this.view.getInt32(15);
    if (b.length < 19 + ext) return false;
    this.pos = 19 + ext;
    this.headerDone = true;
    return true;
  }

  private readTuple(): boolean {
    const b = this.buf;
    const v = this.view;
    let p = this.pos;
    if (p + 2 > b.length) return false;
    const count = v.getInt16(p);
    if (count === -1) {
      this.ended = true;
      this.pos = p + 2;
      return false;
    }
    if (count !== FIELDS) throw new Error(`COPY tuple has ${count} fields, expected ${FIELDS}`);
    p += 2;
    for (let f = 0; f < FIELDS; f++) {
      if (p + 4 > b.length) return false;
      const n = v.getInt32(p);
      p += 4;
      this.off[f] = p;
      this.len[f] = n;
      if (n > 0) p += n;
      if (p > b.length) return false;
    }
    this.pos = p;
    const receivedUs = this.int8(31) + PG_EPOCH_US;
    if (b[this.off[0]!] === 0x74 /* t: tool */) this.writeTool(receivedUs);
    else this.writeLlm(receivedUs);
    return true;
  }

  private text(dict: Interner, f: number): number {
    const n = this.len[f]!;
    if (n < 0) return NONE;
    const s = this.off[f]!;
    return dict.codeBytes(this.buf, s, s + n);
  }

  private int4(f: number): number {
    if (this.len[f]! < 0) return NONE;
    return this.view.getInt32(this.off[f]!);
  }

  private int8(f: number): number {
    const o = this.off[f]!;
    return this.view.getInt32(o) * TWO_32 + this.view.getUint32(o + 4);
  }

  private float8(f: number): number {
    return this.len[f]! < 0 ? Number.NaN : this.view.getFloat64(this.off[f]!);
  }

  private tsMs(f: number): number {
    return this.int8(f) / 1000 + PG_EPOCH_MS;
  }

  private writeLlm(receivedUs: number): void {
    const bld = this.builder;
    const i = bld.nextLlm();
    const c = bld.llmColumns();
    const d = bld.dict;
    const b = this.buf;
    const idOff = this.off[1]!;
    bld.llmIds.push(b, idOff, idOff + this.len[1]!);
    c.tsMs[i] = this.tsMs(2);
    c.route[i] = this.text(d.routes, 3);
    c.agent[i] = this.text(d.agents, 4);
    c.session[i] = this.text(d.sessions, 5);
    c.trace[i] = this.text(d.traces, 6);
    c.parent[i] = this.text(d.spans, 7);
    c.model[i] = this.text(d.models, 8);
    c.requestedModel[i] = this.text(d.models, 9);
    c.user[i] = this.text(d.users, 10);
    // jsonb: a version byte, then the text. "{}" is by far the commonest, checked without hashing.
    const tagLen = this.len[11]!;
    const tagOff = this.off[11]! + 1;
    c.tagSet[i] = tagLen === 3 && b[tagOff] === 0x7b && b[tagOff + 1] === 0x7d ? this.emptyTags : d.tagSets.codeBytes(b, tagOff, tagOff + tagLen - 1);
    c.promptHash[i] = this.text(d.hashes, 12);
    c.systemHash[i] = this.text(d.hashes, 13);
    c.status[i] = STATUS_BY_FIRST_BYTE[b[this.off[14]!]!] ?? STATUS_CODE.ok;
    c.responseCache[i] = CACHE_BY_FIRST_BYTE[b[this.off[15]!]!] ?? RESPONSE_CACHE_CODE.none;
    c.streamed[i] = b[this.off[16]!] === 1 ? 1 : 0;
    c.unpriced[i] = b[this.off[17]!] === 0x75 /* u: unpriced */ ? 1 : 0;
    c.latencyMs[i] = this.float8(18);
    c.ttftMs[i] = this.float8(19);
    c.inputTokens[i] = this.int4(20);
    c.outputTokens[i] = this.int4(21);
    c.cacheReadTokens[i] = this.int4(22);
    c.cacheWrite5mTokens[i] = this.int4(23);
    c.cacheWrite1hTokens[i] = this.int4(24);
    c.systemTokens[i] = this.int4(25);
    c.messageCount[i] = this.int4(26);
    c.toolCount[i] = this.int4(27);
    c.policyVersion[i] = this.int4(28);
    c.costNano[i] = this.int8(29);
    c.requestedCacheTtlSec[i] = this.int4(32);
    c.receivedUs[i] = receivedUs;
  }

  private writeTool(receivedUs: number): void {
    const bld = this.builder;
    const i = bld.nextTool();
    const c = bld.toolColumns();
    const d = bld.dict;
    c.span[i] = this.text(d.spans, 1);
    c.tsMs[i] = this.tsMs(2);
    c.agent[i] = this.text(d.agents, 4);
    c.session[i] = this.text(d.sessions, 5);
    c.trace[i] = this.text(d.traces, 6);
    c.parent[i] = this.text(d.spans, 7);
    c.status[i] = STATUS_BY_FIRST_BYTE[this.buf[this.off[14]!]!] ?? STATUS_CODE.ok;
    c.latencyMs[i] = this.float8(18);
    c.name[i] = this.text(d.toolNames, 30);
    c.receivedUs[i] = receivedUs;
  }
}
