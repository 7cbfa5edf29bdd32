import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Secret format: `pw_sk_` + 8-char lookup id + 32 random chars (base62-ish via base64url).
 * Only a salted SHA-256 and a display prefix are stored. SHA-256 (not a slow KDF) is right here:
 * the secret has 190+ bits of entropy, so brute force is hopeless, and verification sits on the hot path.
 */
export const KEY_PREFIX = "pw_sk_";
const LOOKUP_LEN = 8;
const SECRET_RE = /^pw_sk_[A-Za-z0-9_-]{8}[A-Za-z0-9_-]{32}$/;

export type ParsedSecret = { lookupId: string; secret: string };

export function generateSecret(): string {
  const lookup = randomBytes(6).toString("base64url"); // 8 chars
  const body = randomBytes(24).toString("base64url"); // 32 chars
  return `${KEY_PREFIX}${lookup}${body}`;
}

/** Returns null for anything that is not key-shaped, before any database work. */
export function parseSecret(secret: string): ParsedSecret | null {
  if (secret.length > 64 || !SECRET_RE.test(secret)) return null;
  return { lookupId: secret.slice(KEY_PREFIX.length, KEY_PREFIX.length + LOOKUP_LEN), secret };
}

export function hashSecret(salt: string, secret: string): string {
  return createHash("sha256").update(salt).update(secret).digest("hex");
}

export function newSalt(): string {
  return randomBytes(16).toString("hex");
}

export function secretMatches(salt: string, secret: string, expectedHex: string): boolean {
  const actual = Buffer.from(hashSecret(salt, secret), "hex");
  const expected = Buffer.from(expectedHex, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function displayPrefix(secret: string): string {
  return `${secret.slice(0, KEY_PREFIX.length + LOOKUP_LEN)}…`;
}
