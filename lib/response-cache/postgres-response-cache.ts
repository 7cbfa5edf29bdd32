import { and, eq, gt, inArray, lte } from "drizzle-orm";
import type { Db } from "@/db/client";
import { responseCache } from "@/db/schema";
import { log } from "../log";
import { DEFAULT_MAX_ENTRY_BYTES, type CachedResponse, type ResponseCache } from "./response-cache";

export type PostgresCacheOptions = {
  maxEntryBytes?: number;
  /** How often a set may trigger a sweep of expired rows. */
  sweepEveryMs?: number;
  /** Rows deleted per sweep statement; small so a sweep never holds locks for long. */
  sweepBatch?: number;
  now?: () => number;
};

/**
 * Postgres-backed store (the `response_cache` table), used when no Redis is configured. Reads
 * ignore expired rows; a set at most once per `sweepEveryMs` deletes a batch of expired ones in
 * the background, so the table stays bounded without a scheduler.
 */
export class PostgresResponseCache implements ResponseCache {
  private readonly maxEntryBytes: number;
  private readonly sweepEveryMs: number;
  private readonly sweepBatch: number;
  private readonly now: () => number;
  private lastSweep = 0;
  private sweeping: Promise<number> | null = null;

  constructor(
    private readonly db: Db,
    opts: PostgresCacheOptions = {},
  ) {
    this.maxEntryBytes = opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
    this.sweepEveryMs = opts.sweepEveryMs ?? 60_000;
    this.sweepBatch = opts.sweepBatch ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  async get(key: string, projectId: string): Promise<CachedResponse | null> {
    try {
      const rows = await this.db
        .select({ model: responseCache.model, body: responseCache.body, createdAt: responseCache.createdAt, expiresAt: responseCache.expiresAt })
        .from(responseCache)
        .where(and(eq(responseCache.key, key), eq(responseCache.projectId, projectId), gt(responseCache.expiresAt, new Date(this.now()))))
        .limit(1);
      const row = rows[0];
      if (!row) return null;
      return { projectId, model: row.model, message: row.body, createdAt: row.createdAt.getTime(), expiresAt: row.expiresAt.getTime() };
    } catch (err) {
      log.warn({ err }, "response cache get failed");
      return null;
    }
  }

  async set(key: string, entry: CachedResponse, ttlSec: number): Promise<boolean> {
    const ttlMs = Math.round(ttlSec * 1000);
    if (!(ttlMs > 0)) return false;
    if (Buffer.byteLength(JSON.stringify(entry.message)) > this.maxEntryBytes) return false;
    const now = this.now();
    const values = {
      key,
      projectId: entry.projectId,
      model: entry.model,
      body: entry.message,
      createdAt: new Date(entry.createdAt),
      expiresAt: new Date(now + ttlMs),
    };
    try {
      await this.db
        .insert(responseCache)
        .values(values)
        .onConflictDoUpdate({
          target: responseCache.key,
          // The key hashes the project, so a conflicting row is the same project's same request.
          set: { model: values.model, body: values.body, createdAt: values.createdAt, expiresAt: values.expiresAt },
          setWhere: eq(responseCache.projectId, entry.projectId),
        });
    } catch (err) {
      log.warn({ err }, "response cache set failed");
      return false;
    }
    if (now - this.lastSweep >= this.sweepEveryMs) {
      this.lastSweep = now;
      void this.sweep().catch((err) => log.warn({ err }, "response cache sweep failed"));
    }
    return true;
  }

  /** Deletes one batch of expired rows; returns how many. */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  async close(): Promise<void> {
    await this.sweeping?.catch(() => 0);
  }

  private async sweepOnce(): Promise<number> {
    const expired = this.db
      .select({ key: responseCache.key })
      .from(responseCache)
      .where(lte(responseCache.expiresAt, new Date(this.now())))
      .orderBy(responseCache.expiresAt)
      .limit(this.sweepBatch);
    const deleted = await this.db.delete(responseCache).where(inArray(responseCache.key, expired)).returning({ key: responseCache.key });
    return deleted.length;
  }
}

