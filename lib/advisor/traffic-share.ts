import type { Dictionary, LlmCalls, ToolSpans, Traffic } from "./traffic";
import { ByteStrings, DICTIONARY_NAMES, type ByteStringsParts, type DictionaryParts } from "./traffic-builder";

/**
 * A Traffic as a message to the advisor's helper thread (helper/helper-start.ts): its typed
 * columns and event ids on SharedArrayBuffers, which postMessage shares instead of copying (a
 * million calls are about 150 MB of columns), and its dictionaries as bytes (a few MB, copied).
 */
export type TrafficMessage = {
  projectId: string;
  fromMs: number;
  toMs: number;
  llm: Omit<LlmCalls, "id"> & { id: ByteStringsParts | (string | undefined)[] };
  tools: ToolSpans;
  dictionaries: Record<(typeof DICTIONARY_NAMES)[number], DictionaryParts | string[]>;
  tags: Record<string, string>[];
};

type Typed = Float64Array | Int32Array | Uint32Array | Uint8Array;
type TypedCtor = { new (buffer: SharedArrayBuffer): Typed };

function isTyped(v: unknown): v is Typed {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/**
 * By shape, not instanceof: each bundle of the dashboard's routes may hold its own copy of the
 * builder's classes, and a window cached by one route is shared by another.
 */
function hasParts<P>(x: object): x is { parts(): P } {
  return typeof (x as { parts?: unknown }).parts === "function";
}

/** `a` itself when it already sits on a SharedArrayBuffer, else a copy on one. */
function onShared<T extends Typed>(a: T): T {
  if (typeof SharedArrayBuffer === "undefined") throw new Error("SharedArrayBuffer is not available: the window cannot be shared with another thread");
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = new (a.constructor as TypedCtor)(new SharedArrayBuffer(a.byteLength)) as T;
  copy.set(a as never);
  return copy;
}

/** Every typed column of `cols` moved onto shared memory, in place (the values are the same: readers see no change). */
function shareColumns(cols: LlmCalls | ToolSpans): void {
  const record = cols as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(record)) if (isTyped(v)) record[k] = onShared(v);
}

/**
 * The message for `traffic`. Its columns move onto shared memory the first time (a copy of each
 * column, once: later messages of the same Traffic, the plan's replays, share them as they are).
 */
export function shareTraffic(traffic: Traffic): TrafficMessage {
  shareColumns(traffic.llm);
  shareColumns(traffic.tools);
  let id: ByteStringsParts | (string | undefined)[];
  const ids = traffic.llm.id;
  if (hasParts<ByteStringsParts>(ids)) {
    const p = ids.parts();
    const shared = { length: p.length, bytes: onShared(p.bytes), starts: onShared(p.starts), ends: onShared(p.ends) };
    if (shared.bytes !== p.bytes || shared.starts !== p.starts || shared.ends !== p.ends) traffic.llm.id = ByteStrings.fromParts(shared);
    id = shared;
  } else {
    id = Array.from({ length: traffic.llm.length }, (_, i) => ids.at(i));
  }
  const dictionaries = {} as TrafficMessage["dictionaries"];
  for (const name of DICTIONARY_NAMES) {
    const d = traffic[name];
    dictionaries[name] = hasParts<DictionaryParts>(d) ? d.parts() : [...d.values];
  }
  const { id: _id, ...llm } = traffic.llm;
  void _id;
  return { projectId: traffic.projectId, fromMs: traffic.fromMs, toMs: traffic.toMs, llm: { ...llm, id }, tools: traffic.tools, dictionaries, tags: traffic.tags };
}

const utf8 = new TextDecoder();

/** A dictionary received as bytes, decoded on first read as the Interner does. */
class ReceivedDictionary implements Dictionary {
  private decoded: string[] | null = null;
  constructor(private readonly p: DictionaryParts) {}
  get values(): string[] {
    this.decoded ??= Array.from({ length: this.p.count }, (_, c) => this.decodeAt(c));
    return this.decoded;
  }
  at(c: number): string | undefined {
    if (this.decoded !== null) return this.decoded[c];
    return c >= 0 && c < this.p.count ? this.decodeAt(c) : undefined;
  }
  private decodeAt(c: number): string {
    const { meta, arena } = this.p;
    return utf8.decode(arena.subarray(meta[2 * c]!, meta[2 * c]! + meta[2 * c + 1]!));
  }
}

/** The Traffic a message stands for, on the thread that received it. */
export function trafficFromMessage(m: TrafficMessage): Traffic {
  const dict = (name: (typeof DICTIONARY_NAMES)[number]): Dictionary => {
    const d = m.dictionaries[name];
    return Array.isArray(d) ? { values: d } : new ReceivedDictionary(d);
  };
  return {
    projectId: m.projectId,
    fromMs: m.fromMs,
    toMs: m.toMs,
    llm: { ...m.llm, id: Array.isArray(m.llm.id) ? m.llm.id : ByteStrings.fromParts(m.llm.id) },
    tools: m.tools,
    routes: dict("routes"),
    agents: dict("agents"),
    sessions: dict("sessions"),
    traces: dict("traces"),
    spans: dict("spans"),
    models: dict("models"),
    users: dict("users"),
    hashes: dict("hashes"),
    toolNames: dict("toolNames"),
    tagSets: dict("tagSets"),
    tags: m.tags,
  };
}
