import { LRUCache } from "lru-cache";
import { DEFAULT_MAX_ENTRY_BYTES, entryBytes, type CachedResponse, type ResponseCache } from "./response-cache";

export type LruOptions = {
  /** Total budget; least recently used entries are evicted past it. */
  maxBytes?: number;
  maxEntryBytes?: number;
  /** Wall clock in epoch ms (entries carry epoch expiries). */
  now?: () => number;
};

export const DEFAULT_LRU_BYTES = 64 * 1024 * 1024;

/**
 * In-process LRU bounded by bytes (lru-cache's maxSize, each entry sized by `entryBytes`) and by
 * each entry's own expiry (lru-cache's per-entry ttl). Returned entries are shared: callers must
 * not mutate them.
 */
export class LruResponseCache implements ResponseCache {
  private readonly lru: LRUCache<string, CachedResponse & { expiresAt: number }>;
  private readonly maxEntryBytes: number;
  private readonly now: () => number;

  constructor(opts: LruOptions = {}) {
    const maxBytes = opts.maxBytes ?? DEFAULT_LRU_BYTES;
    this.maxEntryBytes = Math.min(opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES, maxBytes);
    this.now = opts.now ?? Date.now;
    // ttlResolution 0: expiry is checked against the clock on every read, not a cached reading.
    this.lru = new LRUCache({ maxSize: maxBytes, maxEntrySize: this.maxEntryBytes, ttlResolution: 0, perf: { now: this.now } });
  }

  get size(): number {
    return this.lru.size;
  }

  get totalBytes(): number {
    return this.lru.calculatedSize;
  }

  /** Synchronous lookup, for the layered cache's fast path. */
  peek(key: string, projectId: string): CachedResponse | null {
    // A key hashes its project, so another project's key never collides; the check guards anyway,
    // and `peek` first so a foreign probe does not refresh the entry's recency.
    const slot = this.lru.peek(key);
    if (!slot) return null;
    // lru-cache counts an entry stale only past its ttl; ours ends at its expiry instant.
    if (slot.expiresAt <= this.now()) {
      this.lru.delete(key);
      return null;
    }
    if (slot.projectId !== projectId) return null;
    return this.lru.get(key) ?? null;
  }

  async get(key: string, projectId: string): Promise<CachedResponse | null> {
    return this.peek(key, projectId);
  }

  async set(key: string, entry: CachedResponse, ttlSec: number): Promise<boolean> {
    return this.put(key, entry, this.now() + ttlSec * 1000);
  }

  /** Stores with an absolute expiry (a copy of an entry from a shared store keeps its deadline). */
  put(key: string, entry: CachedResponse, expiresAt: number, bytes = entryBytes(entry)): boolean {
    const ttl = Math.floor(expiresAt - this.now());
    if (!(ttl > 0) || bytes > this.maxEntryBytes) return false;
    this.lru.set(key, { ...entry, expiresAt }, { ttl, size: Math.max(1, bytes) });
    return true;
  }

  async purgeBefore(cutoff: Date): Promise<number> {
    const doomed: string[] = [];
    for (const [key, entry] of this.lru.entries()) if (entry.createdAt < cutoff.getTime()) doomed.push(key);
    for (const key of doomed) this.lru.delete(key);
    return doomed.length;
  }

  /** Takes writes from the start. */
  async ready(): Promise<void> {}

  async close(): Promise<void> {
    this.lru.clear();
  }
}
