import { Redis } from "ioredis";
import { log } from "../log";
import { PURGE_BEFORE, SET_CAPPED } from "./redis-cache-scripts";
import { DEFAULT_MAX_ENTRY_BYTES, DEFAULT_STORE_CAPS, decodeEntry, encodeEntry, type CachedResponse, type ResponseCache, type StoreCaps } from "./response-cache";

export type RedisCacheOptions = {
  /** An existing client (not closed by `close`), or a URL to open one (closed by `close`). */
  client?: Redis;
  url?: string;
  /** Namespaces keys so several deployments or tests can share one Redis. */
  prefix?: string;
  maxEntryBytes?: number;
  /** Bounds on everything under the prefix (every project); oldest entries are evicted past either. */
  caps?: StoreCaps;
  now?: () => number;
};

type ScriptClient = Redis & {
  pitwallCacheSet(...args: (string | number)[]): Promise<number>;
  pitwallCachePurge(...args: (string | number)[]): Promise<number>;
};

const PURGE_BATCH = 1000;

export const DEFAULT_REDIS_PREFIX = "pitwall:rc:";

/** A command that takes longer than this counts as a miss: the cache must never slow a call down. */
const COMMAND_TIMEOUT_MS = 250;
const WARN_EVERY_MS = 10_000;

/**
 * Redis-backed store: shared by every gateway process pointing at the same Redis. Values carry
 * their own expiry and project id, so a copy kept elsewhere (the LRU) expires on time and a key
 * is never served to another project. While Redis is not connected, gets and sets are skipped.
 * A set stores the entry and keeps the store within its caps in one script (the oldest entries
 * by creation go first; see redis-cache-scripts.ts), so the cap holds across processes exactly.
 */
export class RedisResponseCache implements ResponseCache {
  private readonly client: ScriptClient;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly maxEntryBytes: number;
  private readonly caps: StoreCaps;
  private readonly now: () => number;
  private lastWarn = 0;

  constructor(opts: RedisCacheOptions) {
    let client: Redis;
    if (opts.client) {
      client = opts.client;
      this.ownsClient = false;
    } else {
      if (!opts.url) throw new Error("RedisResponseCache needs a client or a url");
      client = new Redis(opts.url, { commandTimeout: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1, lazyConnect: false });
      // ioredis reconnects on its own; without a listener an outage would crash the process.
      client.on("error", (err) => this.warn(err, "redis connection error"));
      this.ownsClient = true;
    }
    // EVALSHA with a fallback to EVAL: the scripts travel once per connection.
    client.defineCommand("pitwallCacheSet", { numberOfKeys: 4, lua: SET_CAPPED });
    client.defineCommand("pitwallCachePurge", { numberOfKeys: 4, lua: PURGE_BEFORE });
    this.client = client as ScriptClient;
    this.prefix = opts.prefix ?? DEFAULT_REDIS_PREFIX;
    this.maxEntryBytes = opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
    this.caps = opts.caps ?? DEFAULT_STORE_CAPS;
    this.now = opts.now ?? Date.now;
  }

  /** Resolves once the client can take commands (for tests and startup checks). */
  async ready(): Promise<void> {
    if (this.client.status === "ready") return;
    await new Promise<void>((resolve, reject) => {
      this.client.once("ready", resolve);
      this.client.once("end", () => reject(new Error("redis connection ended")));
    });
  }

  async get(key: string, projectId: string): Promise<CachedResponse | null> {
    if (this.client.status !== "ready") return null;
    try {
      const text = await this.client.get(this.prefix + key);
      return text === null ? null : decodeEntry(text, projectId, this.now());
    } catch (err) {
      this.warn(err, "response cache get failed");
      return null;
    }
  }

  async set(key: string, entry: CachedResponse, ttlSec: number): Promise<boolean> {
    const ttlMs = Math.round(ttlSec * 1000);
    if (!(ttlMs > 0) || this.client.status !== "ready") return false;
    const now = this.now();
    const text = encodeEntry(entry, now + ttlMs, this.maxEntryBytes);
    if (text === null) return false;
    try {
      const p = this.prefix;
      await this.client.pitwallCacheSet(...this.indexKeys(), p, key, text, ttlMs, now, entry.createdAt, Buffer.byteLength(text), this.caps.maxEntries, this.caps.maxBytes);
      return true;
    } catch (err) {
      this.warn(err, "response cache set failed");
      return false;
    }
  }

  /** Deletes the entries created before `cutoff` (retention), in batches; returns how many. */
  async purgeBefore(cutoff: Date): Promise<number> {
    if (this.client.status !== "ready") return 0;
    let total = 0;
    for (;;) {
      const n = Number(await this.client.pitwallCachePurge(...this.indexKeys(), this.prefix, cutoff.getTime(), PURGE_BATCH));
      total += n;
      if (n < PURGE_BATCH) return total;
    }
  }

  /** Entries and bytes the store counts against its caps (tests, health). */
  async usage(): Promise<{ entries: number; bytes: number }> {
    const [created, , , total] = this.indexKeys();
    const [entries, bytes] = await Promise.all([this.client.zcard(created), this.client.get(total)]);
    return { entries, bytes: Number(bytes ?? 0) };
  }

  private indexKeys(): [string, string, string, string] {
    const p = this.prefix;
    return [`${p}idx:created`, `${p}idx:expires`, `${p}idx:bytes`, `${p}idx:total`];
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private warn(err: unknown, msg: string): void {
    const now = Date.now();
    if (now - this.lastWarn < WARN_EVERY_MS) return;
    this.lastWarn = now;
    log.warn({ err }, msg);
  }
}
