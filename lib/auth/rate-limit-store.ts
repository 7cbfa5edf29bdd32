import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import { log } from "../log";

/**
 * Where rate-limit counters live: Redis when REDIS_URL is set (shared by every process), memory
 * otherwise. A Redis outage falls back to per-process memory counters instead of failing requests.
 */
export type LimiterSpec = { keyPrefix: string; points: number; duration: number; blockDuration?: number };
export type LimiterFactory = (spec: LimiterSpec) => RateLimiterAbstract;

const REDIS_KEY = Symbol.for("pitwall.rateLimitRedis");
type G = typeof globalThis & { [REDIS_KEY]?: Redis };

function sharedRedis(url: string): Redis {
  const g = globalThis as G;
  let client = g[REDIS_KEY];
  if (!client) {
    // No offline queue: while Redis is down, calls fail at once and the memory insurance answers.
    client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    client.on("error", (err) => log.warn({ err }, "rate-limit redis error"));
    g[REDIS_KEY] = client;
  }
  return client;
}

export function memoryLimiters(): LimiterFactory {
  return (spec) => new RateLimiterMemory(spec);
}

export function redisLimiters(client: Redis): LimiterFactory {
  return (spec) =>
    new RateLimiterRedis({
      ...spec,
      keyPrefix: `pitwall:rl:${spec.keyPrefix}`,
      storeClient: client,
      insuranceLimiter: new RateLimiterMemory(spec),
    });
}

/** The process default: Redis at REDIS_URL, else memory. */
export function defaultLimiters(): LimiterFactory {
  const url = process.env.REDIS_URL;
  return url ? redisLimiters(sharedRedis(url)) : memoryLimiters();
}

export async function closeRateLimitRedis(): Promise<void> {
  const g = globalThis as G;
  const client = g[REDIS_KEY];
  g[REDIS_KEY] = undefined;
  if (client) await client.quit().catch(() => client.disconnect());
}

/** rate-limiter-flexible rejects with a RateLimiterRes when over the limit, an Error on failure. */
export function msBeforeNext(rejection: unknown): number | null {
  if (rejection instanceof Error) return null;
  const ms = (rejection as { msBeforeNext?: unknown })?.msBeforeNext;
  return typeof ms === "number" ? ms : null;
}
