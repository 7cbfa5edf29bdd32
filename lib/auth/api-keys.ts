import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiKeys, user, type ApiKeyScope } from "@/db/schema";
import { AppError } from "../errors";
import { LRUCache } from "lru-cache";
import { displayPrefix, generateSecret, hashSecret, newSalt, parseSecret, SECRET_FORMAT, secretMatches } from "./api-key-secret";
import { authFailureLimiter } from "./auth-failure-limit";
import { invalidKey } from "./extract-api-key";

export type VerifiedKey = { keyId: string; projectId: string; scopes: ApiKeyScope[] };

export const ALL_SCOPES: ApiKeyScope[] = ["ingest", "gateway", "metrics:read"];

/** Creates a key and returns its secret: the only time the secret exists outside the caller. */
export async function createApiKey(
  db: Db,
  params: { projectId: string; name: string; scopes?: ApiKeyScope[]; createdBy?: string; secret?: string },
): Promise<{ id: string; secret: string; displayPrefix: string }> {
  const secret = params.secret ?? generateSecret();
  const parsed = parseSecret(secret);
  if (!parsed) throw new AppError("bad_request:api_key", `A Pitwall key looks like ${SECRET_FORMAT}.`);
  const salt = newSalt();
  const [row] = await db
    .insert(apiKeys)
    .values({
      projectId: params.projectId,
      name: params.name,
      lookupId: parsed.lookupId,
      displayPrefix: displayPrefix(secret),
      salt,
      secretHash: hashSecret(salt, secret),
      scopes: params.scopes ?? ALL_SCOPES,
      createdBy: params.createdBy,
    })
    .returning({ id: apiKeys.id });
  // A miss remembered a moment ago must not hide the key that now exists.
  misses.delete(secret);
  return { id: row!.id, secret, displayPrefix: displayPrefix(secret) };
}

/**
 * Verified keys are remembered briefly so the hot path does not query per request. The TTL bounds
 * how long a key revoked on another process keeps working (the brief asks for at most 5 s).
 * Misses (unknown or revoked keys) live in their own, smaller cache: a flood of junk keys evicts
 * only other junk, never the keys agents are using, and a repeated junk key costs no query.
 */
const CACHE_TTL_MS = 2_000;
const NEGATIVE_TTL_MS = 2_000;
export const KEY_CACHE_MAX = 10_000;
export const NEGATIVE_CACHE_MAX = 1_000;
const LAST_USED_EVERY_MS = 60_000;
// Ages on the wall clock (Date.now), which tests' fake timers control.
const perf = { now: () => Date.now() };
const cache = new LRUCache<string, VerifiedKey>({ max: KEY_CACHE_MAX, ttl: CACHE_TTL_MS, perf });
const misses = new LRUCache<string, true>({ max: NEGATIVE_CACHE_MAX, ttl: NEGATIVE_TTL_MS, perf });
const lastUsedWritten = new LRUCache<string, number>({ max: KEY_CACHE_MAX, ttl: LAST_USED_EVERY_MS, perf });

export function clearApiKeyCache(): void {
  cache.clear();
  misses.clear();
}

/** How full the two key caches are (tests, health details). */
export function apiKeyCacheSizes(): { keys: number; misses: number } {
  return { keys: cache.size, misses: misses.size };
}

/** Where a key-authenticated request comes from: failures are counted per client address. */
export type KeyAuthContext = { clientIp?: string };

/**
 * The live key behind a secret, or a 401 (unknown, revoked or not key-shaped); no scope check.
 * With a client address, failed attempts count against it (see auth-failure-limit.ts) and an
 * address over its budget gets a 429 before any database work.
 */
export async function resolveApiKey(db: Db, secret: string, ctx: KeyAuthContext = {}): Promise<VerifiedKey> {
  const ip = ctx.clientIp;
  // Junk never reaches the database or the caches.
  if (!parseSecret(secret)) return failed(ip);
  const hit = cache.get(secret);
  if (hit) return hit;
  if (misses.get(secret)) return failed(ip);
  if (ip !== undefined) await authFailureLimiter().assertAllowed(ip);
  const key = await lookupKey(db, secret);
  if (!key) {
    misses.set(secret, true);
    return failed(ip);
  }
  cache.set(secret, key);
  return key;
}

async function failed(ip: string | undefined): Promise<never> {
  if (ip !== undefined) await authFailureLimiter().failed(ip);
  throw invalidKey();
}

/** A live key that has `scope`: 401 for a bad key, 403 for a missing scope, 429 past the failure budget. */
/** `scope` may list several: a key with any of them passes (GET /api/v1/policies takes every agent key). */
export async function verifyApiKey(db: Db, secret: string, scope: ApiKeyScope | readonly ApiKeyScope[], ctx: KeyAuthContext = {}): Promise<VerifiedKey> {
  const key = await resolveApiKey(db, secret, ctx);
  const wanted: readonly ApiKeyScope[] = typeof scope === "string" ? [scope] : scope;
  if (!wanted.some((s) => key.scopes.includes(s))) {
    throw new AppError("forbidden:api_key_scope", `This API key does not have the ${wanted.join(" or ")} scope.`);
  }
  touchLastUsed(db, key.keyId, Date.now());
  return key;
}

async function lookupKey(db: Db, secret: string): Promise<VerifiedKey | null> {
  const parsed = parseSecret(secret);
  if (!parsed) return null;
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.lookupId, parsed.lookupId), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row || !secretMatches(row.salt, secret, row.secretHash)) return null;
  return { keyId: row.id, projectId: row.projectId, scopes: row.scopes };
}

// last_used_at is informational: written at most once a minute per key, off the request path.
function touchLastUsed(db: Db, keyId: string, now: number): void {
  // The cache's TTL is the once-a-minute rule: a key is written again when its entry expires.
  if (lastUsedWritten.has(keyId)) return;
  lastUsedWritten.set(keyId, now);
  db.update(apiKeys)
    .set({ lastUsedAt: new Date(now) })
    .where(eq(apiKeys.id, keyId))
    .catch(() => lastUsedWritten.delete(keyId));
}

export async function listApiKeys(db: Db, projectId: string) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      displayPrefix: apiKeys.displayPrefix,
      scopes: apiKeys.scopes,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      createdByEmail: user.email,
    })
    .from(apiKeys)
    .leftJoin(user, eq(user.id, apiKeys.createdBy))
    .where(eq(apiKeys.projectId, projectId))
    .orderBy(desc(apiKeys.createdAt));
}

export async function revokeApiKey(db: Db, params: { projectId: string; keyId: string }): Promise<void> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, params.keyId), eq(apiKeys.projectId, params.projectId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  if (rows.length === 0) throw new AppError("not_found:api_key", "No active key with that id in this project.");
  const stale = [...cache.entries()].filter(([, key]) => key.keyId === params.keyId).map(([secret]) => secret);
  for (const secret of stale) cache.delete(secret);
}
