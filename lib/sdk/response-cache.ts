import { LRUCache } from "lru-cache";
import { canonicalJson } from "../canonical-json";
import { normalizeForCache } from "../response-cache/normalize-for-cache";

export type ResponseCacheOptions = {
  /** Entries kept at most. Default 1000. */
  maxEntries?: number;
  /** Bytes of answers kept at most. Default 32 MB. */
  maxBytes?: number;
  /** Larger answers are not stored. Default 1 MB. */
  maxEntryBytes?: number;
};

/** An answer as the upstream sent it, replayed byte for byte: the client parses it as it did then. */
type Entry = { body: string; contentType: string };

export type ResponseCacheStats = { hits: number; misses: number; stored: number };

/**
 * The SDK's in-process response cache: complete, successful answers kept for the TTL the cache
 * policy gives, bounded by count and bytes (lru-cache, least recently used out first). Keys are
 * the gateway's normalized request (normalize-for-cache.ts, after routing) hashed with Web Crypto;
 * a JSON answer and a streamed one are kept apart, since each is replayed as it arrived.
 */
export class SdkResponseCache {
  readonly stats: ResponseCacheStats = { hits: 0, misses: 0, stored: 0 };
  private readonly lru: LRUCache<string, Entry>;
  private readonly maxEntryBytes: number;

  constructor(o: ResponseCacheOptions = {}) {
    this.maxEntryBytes = o.maxEntryBytes ?? 1_048_576;
    this.lru = new LRUCache<string, Entry>({
      max: o.maxEntries ?? 1000,
      maxSize: o.maxBytes ?? 32 * 1_048_576,
      maxEntrySize: this.maxEntryBytes,
      // UTF-16 length is within 2x of the UTF-8 bytes; the bound only needs to hold roughly.
      sizeCalculation: (e) => Math.max(1, e.body.length),
    });
  }

  async key(body: Record<string, unknown>, scope: { userId: string | null; streamed: boolean; anthropicVersion?: string | null }): Promise<string> {
    const text = [
      "pitwall-sdk-response-cache:v1",
      scope.streamed ? "sse" : "json",
      scope.userId ? `user:${scope.userId.length}:${scope.userId}` : "user:-",
      canonicalJson(normalizeForCache(body)),
    ].join("\n");
    const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    let out = "";
    for (const b of new Uint8Array(digest)) out += b.toString(16).padStart(2, "0");
    return out;
  }

  get(key: string): Entry | undefined {
    const entry = this.lru.get(key);
    if (entry) this.stats.hits++;
    else this.stats.misses++;
    return entry;
  }

  /** Stores a complete answer for `ttlSec`; a partial, failed or oversized one is not kept. */
  store(key: string, entry: Entry, ttlSec: number): void {
    if (ttlSec <= 0 || entry.body.length > this.maxEntryBytes || !isComplete(entry)) return;
    this.lru.set(key, entry, { ttl: ttlSec * 1000 });
    this.stats.stored++;
  }

  get size(): number {
    return this.lru.size;
  }
}

function isComplete(e: Entry): boolean {
  if (e.contentType.includes("text/event-stream")) return e.body.includes("event: message_stop");
  try {
    const m = JSON.parse(e.body) as { type?: unknown; stop_reason?: unknown };
    return m.type === "message" && m.stop_reason !== null && m.stop_reason !== undefined;
  } catch {
    return false;
  }
}
