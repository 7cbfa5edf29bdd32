import { DEFAULT_MAX_ENTRY_BYTES, entryBytes, type CachedResponse, type ResponseCache } from "./response-cache";

type Slot = { entry: CachedResponse; expiresAt: number; bytes: number };

export type LruOptions = {
  /** Total budget; least recently used entries are evicted past it. */
  maxBytes?: number;
  maxEntryBytes?: number;
  now?: () => number;
};

export const DEFAULT_LRU_BYTES = 64 * 1024 * 1024;

/**
 * In-process LRU bounded by bytes. A Map keeps insertion order, so re-inserting on a hit makes
 * the first key the least recently used one. Returned entries are shared: callers must not mutate.
 */
export class LruResponseCache implements ResponseCache {
  private readonly slots = new Map<string, Slot>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;
  private readonly now: () => number;

  constructor(opts: LruOptions = {}) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_LRU_BYTES;
    this.maxEntryBytes = Math.min(opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES, this.maxBytes);
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.slots.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** Synchronous lookup, for the layered cache's fast path. */
  peek(key: string, projectId: string): CachedResponse | null {
    const slot = this.slots.get(key);
    if (!slot) return null;
    if (slot.expiresAt <= this.now()) {
      this.remove(key, slot);
      return null;
    }
    if (slot.entry.projectId !== projectId) return null;
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot.entry;
  }

  async get(key: string, projectId: string): Promise<CachedResponse | null> {
    return this.peek(key, projectId);
  }

  async set(key: string, entry: CachedResponse, ttlSec: number): Promise<boolean> {
    return this.put(key, entry, this.now() + ttlSec * 1000);
  }

  /** Stores with an absolute expiry (a copy of an entry from a shared store keeps its deadline). */
  put(key: string, entry: CachedResponse, expiresAt: number, bytes = entryBytes(entry)): boolean {
    if (!(expiresAt > this.now()) || bytes > this.maxEntryBytes) return false;
    const old = this.slots.get(key);
    if (old) this.remove(key, old);
    this.slots.set(key, { entry: { ...entry, expiresAt }, expiresAt, bytes });
    this.bytes += bytes;
    for (const [k, slot] of this.slots) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(k, slot);
    }
    return true;
  }

  async close(): Promise<void> {
    this.slots.clear();
    this.bytes = 0;
  }

  private remove(key: string, slot: Slot): void {
    this.slots.delete(key);
    this.bytes -= slot.bytes;
  }
}
