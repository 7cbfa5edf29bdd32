import type { Db } from "@/db/client";
import { onRetention } from "../events/retention";
import { LruResponseCache, DEFAULT_LRU_BYTES } from "./lru-response-cache";
import { PostgresResponseCache } from "./postgres-response-cache";
import { RedisResponseCache } from "./redis-response-cache";
import { DEFAULT_MAX_ENTRY_BYTES, DEFAULT_STORE_CAPS, entryBytes, type CachedResponse, type ResponseCache, type StoreCaps } from "./response-cache";

/**
 * The in-process LRU in front of a shared store. A front hit costs no I/O; a back hit is copied
 * to the front with the entry's remaining lifetime, so both layers expire it at the same moment.
 */
export class TieredResponseCache implements ResponseCache {
  constructor(
    readonly front: LruResponseCache,
    readonly back: ResponseCache,
    private readonly maxEntryBytes = DEFAULT_MAX_ENTRY_BYTES,
  ) {}

  async get(key: string, projectId: string): Promise<CachedResponse | null> {
    const near = this.front.peek(key, projectId);
    if (near) return near;
    const far = await this.back.get(key, projectId);
    if (far?.expiresAt) this.front.put(key, far, far.expiresAt);
    return far;
  }

  async set(key: string, entry: CachedResponse, ttlSec: number): Promise<boolean> {
    if (!(ttlSec > 0)) return false;
    const bytes = entryBytes(entry);
    if (bytes > this.maxEntryBytes) return false;
    const storedFar = await this.back.set(key, entry, ttlSec);
    const storedNear = this.front.put(key, entry, Date.now() + ttlSec * 1000, bytes);
    return storedFar || storedNear;
  }

  async purgeBefore(cutoff: Date): Promise<number> {
    const [, far] = await Promise.all([this.front.purgeBefore(cutoff), this.back.purgeBefore(cutoff)]);
    return far;
  }

  async ready(): Promise<void> {
    await Promise.all([this.front.ready(), this.back.ready()]);
  }

  async close(): Promise<void> {
    await Promise.all([this.front.close(), this.back.close()]);
  }
}

/**
 * Caps every entry's lifetime at the event retention (PITWALL_RETENTION_DAYS): a stored answer
 * holds a prompt's reply, so it must not outlive the events the operator chose to keep. A new
 * entry's TTL is cut to the retention; an entry stored before the retention was lowered (its
 * expiry still further out) is never served once it is older than the retention, and the
 * retention job deletes it (`purgeBefore`, registered by getResponseCache).
 */
export class RetentionBoundCache implements ResponseCache {
  constructor(
    readonly inner: ResponseCache,
    readonly maxTtlSec: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string, projectId: string): Promise<CachedResponse | null> {
    const hit = await this.inner.get(key, projectId);
    return hit && hit.createdAt > this.now() - this.maxTtlSec * 1000 ? hit : null;
  }

  set(key: string, entry: CachedResponse, ttlSec: number): Promise<boolean> {
    return this.inner.set(key, entry, Math.min(ttlSec, this.maxTtlSec));
  }

  purgeBefore(cutoff: Date): Promise<number> {
    return this.inner.purgeBefore(cutoff);
  }

  ready(): Promise<void> {
    return this.inner.ready();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** PITWALL_RETENTION_DAYS in seconds (30 days when unset or not a positive number). */
export function retentionTtlSec(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const days = Number(env.PITWALL_RETENTION_DAYS ?? 30);
  return Math.round((Number.isFinite(days) && days > 0 ? days : 30) * 86_400);
}

export type CreateResponseCacheOptions = {
  /** Defaults to REDIS_URL; empty means the Postgres table. */
  redisUrl?: string;
  redisPrefix?: string;
  /** In-process LRU budget; 0 disables the front layer. PITWALL_RESPONSE_CACHE_LRU_BYTES overrides. */
  lruBytes?: number;
  maxEntryBytes?: number;
  /** Longest entry lifetime; defaults to PITWALL_RETENTION_DAYS. */
  maxTtlSec?: number;
  /** Bounds on the shared store; PITWALL_RESPONSE_CACHE_MAX_ENTRIES / _MAX_BYTES override the defaults. */
  caps?: StoreCaps;
};

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return n;
}

/** Redis when REDIS_URL is set, else Postgres; an in-process LRU in front of either. */
export function createResponseCache(db: Db, opts: CreateResponseCacheOptions = {}): ResponseCache {
  const maxEntryBytes = opts.maxEntryBytes ?? envInt("PITWALL_RESPONSE_CACHE_MAX_ENTRY_BYTES") ?? DEFAULT_MAX_ENTRY_BYTES;
  const redisUrl = opts.redisUrl ?? process.env.REDIS_URL;
  const caps = opts.caps ?? {
    maxEntries: envInt("PITWALL_RESPONSE_CACHE_MAX_ENTRIES") ?? DEFAULT_STORE_CAPS.maxEntries,
    maxBytes: envInt("PITWALL_RESPONSE_CACHE_MAX_BYTES") ?? DEFAULT_STORE_CAPS.maxBytes,
  };
  const back: ResponseCache = redisUrl
    ? new RedisResponseCache({ url: redisUrl, prefix: opts.redisPrefix, maxEntryBytes, caps })
    : new PostgresResponseCache(db, { maxEntryBytes, caps });
  const lruBytes = opts.lruBytes ?? envInt("PITWALL_RESPONSE_CACHE_LRU_BYTES") ?? DEFAULT_LRU_BYTES;
  const store = lruBytes === 0 ? back : new TieredResponseCache(new LruResponseCache({ maxBytes: lruBytes, maxEntryBytes }), back, maxEntryBytes);
  return new RetentionBoundCache(store, opts.maxTtlSec ?? retentionTtlSec());
}

// On globalThis because the custom server and Next's bundle load this module separately.
const GLOBAL_KEY = Symbol.for("pitwall.responseCache");
type G = typeof globalThis & { [GLOBAL_KEY]?: WeakMap<Db, ResponseCache> };

/**
 * One cache per process and database handle (one Redis connection, one LRU). The retention job
 * (lib/events/retention.ts) then also deletes the entries stored before its cutoff.
 */
export function getResponseCache(db: Db): ResponseCache {
  const g = globalThis as G;
  const byDb = (g[GLOBAL_KEY] ??= new WeakMap());
  let cache = byDb.get(db);
  if (!cache) {
    cache = createResponseCache(db);
    byDb.set(db, cache);
    onRetention("responseCache", (hookDb, cutoff) => byDb.get(hookDb)?.purgeBefore(cutoff) ?? Promise.resolve(0));
  }
  return cache;
}
