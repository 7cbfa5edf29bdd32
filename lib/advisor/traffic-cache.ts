import type { Db } from "@/db/client";
import { sameStamp, type Traffic, type TrafficStamp } from "./traffic";
import { builderDictionaries } from "./traffic-builder";
import { dictionarySize, extendTraffic, movePlan } from "./traffic-extend";
import { windowStamp, type LoadTrafficParams } from "./traffic-load";
import { loadTrafficWithSegments } from "./traffic-segments-load";

type Load = (db: Db, params: LoadTrafficParams) => Promise<Traffic>;
type Stamp = (db: Db, params: LoadTrafficParams) => Promise<TrafficStamp>;

type Entry = { db: Db; traffic: Traffic; rows: number; timer: NodeJS.Timeout };

export type TrafficCacheOptions = {
  /** Rows (LLM calls and tool spans) kept in all, across windows: about 240 bytes each (230 measured at 1M rows, before the 8 of receivedUs). */
  maxRows?: number;
  /** A window not asked for in this long is let go. */
  idleMs?: number;
  /** Default loadTrafficWithSegments: the hours the segment keeper stored come from their segments (segment-keeper.ts). */
  load?: Load;
  stamp?: Stamp;
  /** Codes a window's dictionaries may gain over twice their size at its last whole load before it is loaded whole again. */
  dictionarySlack?: number;
};

const DEFAULT_MAX_ROWS = 2_000_000;
const DEFAULT_IDLE_MS = 10 * 60_000;
const DEFAULT_DICTIONARY_SLACK = 1024;

/**
 * The advisor page asks for one window several times in a row (findings, then the plan, then
 * replays), and each endpoint loaded it again: at a million events a load is seconds, and a check
 * that the window is unchanged is a tenth of that (one aggregate, see windowStamp). So the last
 * windows loaded are kept, and reused only while their stamp reads the same; any event added,
 * deleted or repriced in the window since makes it load afresh, or, for a window that moves a kept
 * one forward, load only what it does not keep (traffic-extend.ts). Loads are reads of one project's
 * window, after the caller was authorized for that project: the key holds the project.
 *
 * The findings and the replay only read a Traffic (checked in traffic-cache.test.ts: the same
 * answers from a reused window as from a fresh one).
 */
export class TrafficCache {
  private readonly entries = new Map<string, Entry>();
  /** Loads under way: a second request for the same window waits for the first one's load. */
  private readonly loading = new Map<string, { db: Db; promise: Promise<Traffic> }>();
  private readonly maxRows: number;
  private readonly idleMs: number;
  private readonly load: Load;
  private readonly stamp: Stamp;
  private readonly dictionarySlack: number;
  /** The dictionaries' size at each kept window's last whole load (see extendable). */
  private readonly dictionaryBase = new WeakMap<Traffic, number>();
  hits = 0;
  /** Windows not reused as they were: loaded whole, or (`extended`, counted among them too) moved forward. */
  misses = 0;
  extended = 0;

  constructor(opts: TrafficCacheOptions = {}) {
    this.maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
    this.idleMs = opts.idleMs ?? DEFAULT_IDLE_MS;
    this.load = opts.load ?? loadTrafficWithSegments;
    this.stamp = opts.stamp ?? windowStamp;
    this.dictionarySlack = opts.dictionarySlack ?? DEFAULT_DICTIONARY_SLACK;
  }

  async get(db: Db, params: LoadTrafficParams): Promise<Traffic> {
    params.signal?.throwIfAborted();
    const key = `${params.projectId}|${params.from.getTime()}|${params.to.getTime()}`;
    const kept = this.entries.get(key);
    if (kept && kept.db === db && kept.traffic.stamp) {
      const now = await this.stamp(db, params);
      params.signal?.throwIfAborted();
      if (sameStamp(now, kept.traffic.stamp)) {
        this.hits++;
        this.touch(key, kept);
        params.onProgress?.(1);
        return kept.traffic;
      }
    }
    if (kept) this.drop(key);
    const pending = this.loading.get(key);
    if (pending && pending.db === db) {
      try {
        const traffic = await orAbort(pending.promise, params.signal);
        params.onProgress?.(1);
        return traffic;
      } catch (err) {
        // Cancelled by this request: done. The other request's load failed or was cancelled: load here.
        if (params.signal?.aborted) throw err;
      }
    }
    this.misses++;
    const promise = this.extendOrLoad(db, params);
    this.loading.set(key, { db, promise });
    try {
      const traffic = await promise;
      if (traffic.stamp && traffic.stamp.rows <= this.maxRows) this.keep(key, db, traffic);
      return traffic;
    } finally {
      if (this.loading.get(key)?.promise === promise) this.loading.delete(key);
    }
  }

  /**
   * A kept window that this one moves forward (the page's Refresh): when the part it keeps is
   * unchanged, only the rest is loaded and joined to it (traffic-extend.ts); else the whole window.
   */
  private async extendOrLoad(db: Db, params: LoadTrafficParams): Promise<Traffic> {
    const head = this.extendable(db, params);
    if (head) {
      const traffic = await extendTraffic(db, head, params, { load: this.load, stamp: this.stamp });
      params.signal?.throwIfAborted();
      if (traffic) {
        this.extended++;
        this.dictionaryBase.set(traffic, this.dictionaryBase.get(head)!);
        return traffic;
      }
    }
    const traffic = await this.load(db, params);
    const dict = builderDictionaries(traffic);
    if (dict) this.dictionaryBase.set(traffic, dictionarySize(dict));
    return traffic;
  }

  /**
   * The kept window of the same database that `params` moves forward, the latest-ending first;
   * not one whose dictionaries have doubled since its last whole load (the strings of the rows
   * each move drops stay in them: a whole load lets them go).
   */
  private extendable(db: Db, params: LoadTrafficParams): Traffic | null {
    let best: Traffic | null = null;
    for (const e of this.entries.values()) {
      if (e.db !== db || !movePlan(e.traffic, params)) continue;
      const base = this.dictionaryBase.get(e.traffic);
      const dict = builderDictionaries(e.traffic);
      if (base === undefined || !dict || dictionarySize(dict) > 2 * base + this.dictionarySlack) continue;
      if (!best || e.traffic.toMs > best.toMs) best = e.traffic;
    }
    return best;
  }

  /** Windows kept now (for tests and health). */
  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.drop(key);
  }

  private keep(key: string, db: Db, traffic: Traffic): void {
    this.drop(key);
    const rows = traffic.stamp!.rows;
    // Least recently used first (a Map iterates in insertion order; touch re-inserts).
    let total = rows;
    for (const e of this.entries.values()) total += e.rows;
    for (const old of this.entries.keys()) {
      if (total <= this.maxRows) break;
      total -= this.entries.get(old)!.rows;
      this.drop(old);
    }
    const entry: Entry = { db, traffic, rows, timer: this.idleTimer(key) };
    this.entries.set(key, entry);
  }

  private touch(key: string, entry: Entry): void {
    clearTimeout(entry.timer);
    entry.timer = this.idleTimer(key);
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  private idleTimer(key: string): NodeJS.Timeout {
    const timer = setTimeout(() => this.drop(key), this.idleMs);
    timer.unref();
    return timer;
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    clearTimeout(e.timer);
    this.entries.delete(key);
  }
}

/** The promise's outcome, or the signal's reason as soon as it aborts (the promise itself runs on). */
function orAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}


const GLOBAL_KEY = Symbol.for("pitwall.advisor.trafficCache");
type GlobalWithCache = typeof globalThis & { [GLOBAL_KEY]?: TrafficCache };

/** The process's cache: on globalThis, because each Next route bundle has its own copy of this module. */
export function processTrafficCache(): TrafficCache {
  const g = globalThis as GlobalWithCache;
  return (g[GLOBAL_KEY] ??= new TrafficCache());
}

/** loadTraffic through the process's cache: what the advisor's routes use. */
export function loadTrafficCached(db: Db, params: LoadTrafficParams): Promise<Traffic> {
  return processTrafficCache().get(db, params);
}
