import { eq } from "drizzle-orm";
import { BurstyRateLimiter } from "rate-limiter-flexible";
import type { Db } from "@/db/client";
import { projects, type ProjectSettings } from "@/db/schema";
import { AppError } from "../errors";
import { log } from "../log";
import { defaultLimiters, msBeforeNext, type LimiterFactory } from "./rate-limit-store";

/**
 * Per-key request limits for the hot paths (ingestion, gateway) and key-authenticated routes.
 * Each project sets a sustained rate (requests per second per key) and a burst (extra requests a
 * key may spend above that rate per 10 s); 0 turns the limit off. Over the limit: 429 + Retry-After.
 */
export type KeyRateLimit = { perSecond: number; burst: number };

const BURST_WINDOW_SEC = 10;
const SETTINGS_TTL_MS = 5_000;

export function defaultKeyRateLimit(env: NodeJS.ProcessEnv = process.env): KeyRateLimit {
  const perSecond = nonNegativeInt(env.PITWALL_KEY_RATE_LIMIT_PER_SECOND) ?? 1000;
  const burst = nonNegativeInt(env.PITWALL_KEY_RATE_LIMIT_BURST) ?? perSecond * 2;
  return { perSecond, burst };
}

export function keyRateLimitOf(settings: ProjectSettings | null | undefined): KeyRateLimit {
  const fallback = defaultKeyRateLimit();
  const perSecond = settings?.rateLimitPerSecond ?? fallback.perSecond;
  return { perSecond, burst: settings?.rateLimitBurst ?? (settings?.rateLimitPerSecond !== undefined ? perSecond * 2 : fallback.burst) };
}

function nonNegativeInt(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

export class KeyRateLimiter {
  private readonly limiters = new Map<string, BurstyRateLimiter>();
  private readonly settings = new Map<string, { limit: KeyRateLimit; expires: number }>();

  constructor(private readonly factory: LimiterFactory = defaultLimiters()) {}

  /** Throws a 429 AppError when the key is over its project's limit. */
  async enforce(db: Db, key: { keyId: string; projectId: string }): Promise<void> {
    const limit = await this.limitFor(db, key.projectId);
    if (limit.perSecond === 0) return;
    try {
      await this.limiterFor(limit).consume(key.keyId);
    } catch (rejection) {
      const ms = msBeforeNext(rejection);
      if (ms === null) {
        // The store failed (and its insurance too): let traffic through rather than fail it.
        log.warn({ err: rejection }, "key rate limiter unavailable");
        return;
      }
      throw new AppError("rate_limited:api_key", `Rate limit of ${limit.perSecond} requests per second for this key exceeded; retry later.`, {
        retryAfter: Math.max(1, Math.ceil(ms / 1000)),
      });
    }
  }

  /** Forget cached project settings (after an admin changes them). */
  invalidate(projectId: string): void {
    this.settings.delete(projectId);
  }

  private async limitFor(db: Db, projectId: string): Promise<KeyRateLimit> {
    const now = Date.now();
    const cached = this.settings.get(projectId);
    if (cached && cached.expires > now) return cached.limit;
    const [row] = await db.select({ settings: projects.settings }).from(projects).where(eq(projects.id, projectId)).limit(1);
    const limit = keyRateLimitOf(row?.settings);
    if (this.settings.size > 10_000) this.settings.clear();
    this.settings.set(projectId, { limit, expires: now + SETTINGS_TTL_MS });
    return limit;
  }

  private limiterFor(limit: KeyRateLimit): BurstyRateLimiter {
    const id = `${limit.perSecond}:${limit.burst}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const sustained = this.factory({ keyPrefix: `key:${id}:s`, points: limit.perSecond, duration: 1 });
      // A burst of 0 means none: that limiter has no points and refuses every extra request.
      const burst = this.factory({ keyPrefix: `key:${id}:b`, points: Math.max(limit.burst, 0), duration: BURST_WINDOW_SEC });
      limiter = new BurstyRateLimiter(sustained, burst);
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

const KEY = Symbol.for("pitwall.keyRateLimiter");
type G = typeof globalThis & { [KEY]?: KeyRateLimiter };

/** One limiter per process (the custom server and Next's bundle share it through globalThis). */
export function keyRateLimiter(): KeyRateLimiter {
  const g = globalThis as G;
  return (g[KEY] ??= new KeyRateLimiter());
}

/** The shared function hot-path handlers call right after verifying a key. */
export function enforceKeyRateLimit(db: Db, key: { keyId: string; projectId: string }): Promise<void> {
  return keyRateLimiter().enforce(db, key);
}
