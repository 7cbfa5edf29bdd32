import { and, asc, eq, gt, inArray, lt, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { responseCache } from "@/db/schema";
import { log } from "../log";
import { DEFAULT_MAX_ENTRY_BYTES, DEFAULT_STORE_CAPS, type CachedResponse, type ResponseCache, type StoreCaps } from "./response-cache";

export type PostgresCacheOptions = {
  maxEntryBytes?: number;
  /** Bounds on the whole table (every project); oldest rows are evicted past either. */
  caps?: StoreCaps;
  /** How often a set may trigger a sweep of expired rows (and a recount of the table). */
  sweepEveryMs?: number;
  /** Rows deleted per statement; small so a sweep or a trim never holds locks for long. */
  sweepBatch?: number;
  /** Least time between two trims once the table is at its cap. */
  trimEveryMs?: number;
  now?: () => number;
};

/** A trim takes the table down to this share of its caps, so a full table is not trimmed on every set. */
const TRIM_TO = 0.9;

/**
 * Postgres-backed store (the `response_cache` table), used when no Redis is configured. Reads
 * ignore expired rows; a set at most once per `sweepEveryMs` deletes a batch of expired ones in
 * the background, so the table stays bounded without a scheduler.
 *
 * Size cap: the store keeps an estimate of the table's rows and bytes (measured by each sweep and
 * trim, plus this process's own sets since); once the estimate passes a cap, a background trim
 * deletes the oldest rows (created_at order) until the table is at 90% of both caps. Several
 * processes share the table, so it can pass a cap by what the others wrote since this process
 * last measured it (at most one sweep interval).
 */
export class PostgresResponseCache implements ResponseCache {
  private readonly maxEntryBytes: number;
  private readonly caps: StoreCaps;
  private readonly sweepEveryMs: number;
  private readonly sweepBatch: number;
  private readonly trimEveryMs: number;
  private readonly now: () => number;
  private lastSweep = 0;
  private lastTrim = Number.NEGATIVE_INFINITY;
  private sweeping: Promise<number> | null = null;
  private trimming: Promise<number> | null = null;
  /** Rows and bytes of the table as last measured (after that trim's evictions); null until measured. */
  private estimate: { rows: number; bytes: number } | null = null;
  /** This process's sets since that measurement started (a trim running meanwhile does not see them). */
  private added = { rows: 0, bytes: 0 };

  constructor(
    private readonly db: Db,
    opts: PostgresCacheOptions = {},
  ) {
    this.maxEntryBytes = opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
    this.caps = opts.caps ?? DEFAULT_STORE_CAPS;
    this.sweepEveryMs = opts.sweepEveryMs ?? 60_000;
    this.sweepBatch = opts.sweepBatch ?? 1000;
    this.trimEveryMs = opts.trimEveryMs ?? 1000;
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
    const bytes = Buffer.byteLength(JSON.stringify(entry.message));
    if (bytes > this.maxEntryBytes) return false;
    const now = this.now();
    const values = {
      key,
      projectId: entry.projectId,
      model: entry.model,
      body: entry.message,
      bytes,
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
          set: { model: values.model, body: values.body, bytes: values.bytes, createdAt: values.createdAt, expiresAt: values.expiresAt },
          setWhere: eq(responseCache.projectId, entry.projectId),
        });
    } catch (err) {
      log.warn({ err }, "response cache set failed");
      return false;
    }
    // A replaced row counts twice until the next measurement: the trim then comes early, never late.
    this.added.rows += 1;
    this.added.bytes += bytes;
    if (now - this.lastSweep >= this.sweepEveryMs) {
      this.lastSweep = now;
      void this.sweep().catch((err) => log.warn({ err }, "response cache sweep failed"));
    } else if (this.overCap() && now - this.lastTrim >= this.trimEveryMs) {
      void this.trim().catch((err) => log.warn({ err }, "response cache trim failed"));
    }
    return true;
  }

  /** Deletes one batch of expired rows, then measures the table and trims it if it is over a cap; returns the rows deleted. */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  /**
   * Evicts the oldest rows until the table is within 90% of both caps (nothing when it is within
   * the caps already); returns how many.
   */
  trim(): Promise<number> {
    this.lastTrim = this.now();
    this.trimming ??= this.trimOnce().finally(() => {
      this.trimming = null;
      // Sets that landed while it ran may have crossed a cap again: go once more (it measures afresh).
      if (this.overCap()) void this.trim().catch((err) => log.warn({ err }, "response cache trim failed"));
    });
    return this.trimming;
  }

  async purgeBefore(cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const old = this.db.select({ key: responseCache.key }).from(responseCache).where(lt(responseCache.createdAt, cutoff)).limit(this.sweepBatch);
      const n = (await this.db.delete(responseCache).where(inArray(responseCache.key, old)).returning({ key: responseCache.key })).length;
      total += n;
      if (n < this.sweepBatch) return total;
    }
  }

  /** Takes writes from the start. */
  async ready(): Promise<void> {}

  async close(): Promise<void> {
    // A trim can chain another (see trim), so wait until none is left.
    while (this.sweeping || this.trimming) await Promise.all([this.sweeping?.catch(() => 0), this.trimming?.catch(() => 0)]);
  }

  private overCap(): boolean {
    if (!this.estimate) return true;
    return this.estimate.rows + this.added.rows > this.caps.maxEntries || this.estimate.bytes + this.added.bytes > this.caps.maxBytes;
  }

  private async sweepOnce(): Promise<number> {
    const expired = this.db
      .select({ key: responseCache.key })
      .from(responseCache)
      .where(lte(responseCache.expiresAt, new Date(this.now())))
      .orderBy(responseCache.expiresAt)
      .limit(this.sweepBatch);
    const deleted = await this.db.delete(responseCache).where(inArray(responseCache.key, expired)).returning({ key: responseCache.key });
    return deleted.length + (await this.trim());
  }

  private async measure(): Promise<{ rows: number; bytes: number }> {
    this.added = { rows: 0, bytes: 0 };
    const [row] = rowsOf<{ rows: number; bytes: string }>(
      await this.db.execute(sql`select count(*)::int as rows, coalesce(sum(bytes), 0)::text as bytes from response_cache`),
    );
    this.estimate = { rows: row?.rows ?? 0, bytes: Number(row?.bytes ?? 0) };
    return this.estimate;
  }

  private async trimOnce(): Promise<number> {
    let { rows, bytes } = await this.measure();
    if (rows <= this.caps.maxEntries && bytes <= this.caps.maxBytes) return 0;
    const targetRows = Math.floor(this.caps.maxEntries * TRIM_TO);
    const targetBytes = Math.floor(this.caps.maxBytes * TRIM_TO);
    let evicted = 0;
    while (rows > targetRows || bytes > targetBytes) {
      // As many of the oldest rows as the excess needs (bytes at the table's average row size), in batches.
      const avg = rows > 0 ? bytes / rows : 1;
      const need = Math.max(rows - targetRows, Math.ceil((bytes - targetBytes) / Math.max(1, avg)), 1);
      const oldest = this.db.select({ key: responseCache.key }).from(responseCache).orderBy(asc(responseCache.createdAt)).limit(Math.min(need, this.sweepBatch));
      const gone = await this.db.delete(responseCache).where(inArray(responseCache.key, oldest)).returning({ bytes: responseCache.bytes });
      if (gone.length === 0) break;
      evicted += gone.length;
      rows -= gone.length;
      for (const g of gone) bytes -= g.bytes;
    }
    this.estimate = { rows: Math.max(0, rows), bytes: Math.max(0, bytes) };
    if (evicted > 0) log.info({ evicted, rows, bytes }, "response cache: evicted the oldest entries past the size cap");
    return evicted;
  }
}
