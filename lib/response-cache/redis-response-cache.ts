import { Redis } from "ioredis";
import { log } from "../log";
import { DEFAULT_MAX_ENTRY_BYTES, decodeEntry, encodeEntry, type CachedResponse, type ResponseCache } from "./response-cache";

export type RedisCacheOptions = {
  /** An existing client (not closed by `close`), or a URL to open one (closed by `close`). */
  client?: Redis;
  url?: string;
  /** Namespaces keys so several deployments or tests can share one Redis. */
  prefix?: string;
  maxEntryBytes?: number;
  now?: () => number;
};

export const DEFAULT_REDIS_PREFIX = "pitwall:rc:";

/** A command that takes longer than this counts as a miss: the cache must never slow a call down. */
const COMMAND_TIMEOUT_MS = 250;
const WARN_EVERY_MS = 10_000;

/**
 * Redis-backed store: shared by every gateway process pointing at the same Redis. Values carry
 * their own expiry and project id, so a copy kept elsewhere (the LRU) expires on time and a key
 * is never served to another project. While Redis is not connected, gets and sets are skipped.
 */
export class RedisResponseCache implements ResponseCache {
  private readonly client: Redis;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly maxEntryBytes: number;
  private readonly now: () => number;
  private lastWarn = 0;

  constructor(opts: RedisCacheOptions) {
    if (opts.client) {
      this.client = opts.client;
      this.ownsClient = false;
    } else {
      if (!opts.url) throw new Error("RedisResponseCache needs a client or a url");
      this.client = new Redis(opts.url, { commandTimeout: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1, lazyConnect: false });
      // ioredis reconnects on its own; without a listener an outage would crash the process.
      this.client.on("error", (err) => this.warn(err, "redis connection error"));
      this.ownsClient = true;
    }
    this.prefix = opts.prefix ?? DEFAULT_REDIS_PREFIX;
    this.maxEntryBytes = opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
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
    const text = encodeEntry(entry, this.now() + ttlMs, this.maxEntryBytes);
    if (text === null) return false;
    try {
      await this.client.set(this.prefix + key, text, "PX", ttlMs);
      return true;
    } catch (err) {
      this.warn(err, "response cache set failed");
      return false;
    }
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
