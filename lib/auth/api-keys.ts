import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiKeys, user, type ApiKeyScope } from "@/db/schema";
import { AppError } from "../errors";
import { displayPrefix, generateSecret, hashSecret, newSalt, parseSecret, secretMatches } from "./api-key-secret";
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
  if (!parsed) throw new AppError("bad_request:api_key", "A Pitwall key looks like pw_sk_ followed by 40 letters, digits, - or _.");
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
  return { id: row!.id, secret, displayPrefix: displayPrefix(secret) };
}

/**
 * Verified keys are remembered briefly so the hot path does not query per request. The TTL bounds
 * how long a key revoked on another process keeps working (the brief asks for at most 5 s).
 */
const CACHE_TTL_MS = 2_000;
const LAST_USED_EVERY_MS = 60_000;
type CacheEntry = { key: VerifiedKey | null; expires: number };
const cache = new Map<string, CacheEntry>();
const lastUsedWritten = new Map<string, number>();

export function clearApiKeyCache(): void {
  cache.clear();
}

/** The live key behind a secret, or a 401 (unknown, revoked or not key-shaped); no scope check. */
export async function resolveApiKey(db: Db, secret: string): Promise<VerifiedKey> {
  // Junk never reaches the database or the cache (so it cannot flush the cache either).
  if (!parseSecret(secret)) throw invalidKey();
  const now = Date.now();
  let entry = cache.get(secret);
  if (!entry || entry.expires < now) {
    entry = { key: await lookupKey(db, secret), expires: now + CACHE_TTL_MS };
    if (cache.size > 10_000) cache.clear();
    cache.set(secret, entry);
  }
  if (!entry.key) throw invalidKey();
  return entry.key;
}

/** A live key that has `scope`: 401 for a bad key, 403 for a missing scope. */
export async function verifyApiKey(db: Db, secret: string, scope: ApiKeyScope): Promise<VerifiedKey> {
  const key = await resolveApiKey(db, secret);
  if (!key.scopes.includes(scope)) {
    throw new AppError("forbidden:api_key_scope", `This API key does not have the ${scope} scope.`);
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
  const last = lastUsedWritten.get(keyId) ?? 0;
  if (now - last < LAST_USED_EVERY_MS) return;
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
  for (const [secret, entry] of cache) if (entry.key?.keyId === params.keyId) cache.delete(secret);
}
