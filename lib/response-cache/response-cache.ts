/** One complete, successful Messages answer kept for exact repeats. */
export type CachedResponse = {
  projectId: string;
  /** The model that produced the message (the served model). */
  model: string;
  /** The final Message JSON as the upstream answered it (non-streaming shape). */
  message: Record<string, unknown>;
  /** Epoch ms when the upstream produced it. */
  createdAt: number;
  /** Epoch ms when the entry stops being served; filled in by `get`. */
  expiresAt?: number;
};

/**
 * A response cache store. Entries are immutable for their lifetime (same key = same request), so
 * a layered cache may serve a copy until its own expiry. Stores never throw on get/set: a broken
 * cache is a miss, never a failed request.
 */
export interface ResponseCache {
  /** The entry for `key` if it is live and belongs to `projectId`, else null. */
  get(key: string, projectId: string): Promise<CachedResponse | null>;
  /** Keeps `entry` for `ttlSec` seconds; false when it was not stored (too large, ttl <= 0, store down). */
  set(key: string, entry: CachedResponse, ttlSec: number): Promise<boolean>;
  /**
   * Deletes the entries stored before `cutoff` whatever their expiry (the retention job, after
   * PITWALL_RETENTION_DAYS was lowered); returns how many.
   */
  purgeBefore(cutoff: Date): Promise<number>;
  /**
   * Resolves once the store takes writes: Redis once connected (until then a set is dropped, as
   * while it is down), the others at once. Rejects when the store can't be reached at all.
   */
  ready(): Promise<void>;
  /** Releases connections and timers the store owns. */
  close(): Promise<void>;
}

/** Larger answers are not cached: they are rare, and one would evict many small ones. */
export const DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;

/** The shared store's bounds (the Postgres table or Redis); the oldest entries go first past either. */
export type StoreCaps = { maxEntries: number; maxBytes: number };
export const DEFAULT_STORE_CAPS: StoreCaps = { maxEntries: 100_000, maxBytes: 512 * 1024 * 1024 };

type Encoded = { v: 1; projectId: string; model: string; createdAt: number; expiresAt: number; message: Record<string, unknown> };

/** The stored form (Redis value); null when the entry exceeds `maxBytes`. */
export function encodeEntry(entry: CachedResponse, expiresAt: number, maxBytes: number): string | null {
  const encoded: Encoded = { v: 1, projectId: entry.projectId, model: entry.model, createdAt: entry.createdAt, expiresAt, message: entry.message };
  const text = JSON.stringify(encoded);
  if (Buffer.byteLength(text) > maxBytes) return null;
  return text;
}

/** Parses a stored value; null for anything unreadable, expired or of another project. */
export function decodeEntry(text: string, projectId: string, now: number): CachedResponse | null {
  let parsed: Partial<Encoded>;
  try {
    parsed = JSON.parse(text) as Partial<Encoded>;
  } catch {
    return null;
  }
  if (parsed?.v !== 1 || parsed.projectId !== projectId || typeof parsed.expiresAt !== "number" || parsed.expiresAt <= now) return null;
  if (typeof parsed.model !== "string" || typeof parsed.createdAt !== "number" || !parsed.message || typeof parsed.message !== "object") return null;
  return { projectId: parsed.projectId, model: parsed.model, message: parsed.message, createdAt: parsed.createdAt, expiresAt: parsed.expiresAt };
}

/** Approximate in-memory footprint used by the LRU's byte budget. */
export function entryBytes(entry: CachedResponse): number {
  return Buffer.byteLength(JSON.stringify(entry.message)) + entry.model.length + entry.projectId.length + 64;
}
