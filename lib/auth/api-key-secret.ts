import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Secret format: `pw_sk_` + 32 to 128 URL-safe characters (letters, digits, `-`, `_`); the first 8
 * of them are the public lookup id. Generated keys are 8 lookup + 32 random chars (base64url);
 * operators may bring their own (PITWALL_INIT_API_KEY, e.g. `pw_sk_$(openssl rand -hex 16)`).
 * Only a salted SHA-256 and a display prefix are stored. SHA-256 (not a slow KDF) is right here:
 * a secret of 32+ random characters is beyond brute force, and verification sits on the hot path.
 */
export const KEY_PREFIX = "pw_sk_";
const LOOKUP_LEN = 8;
export const SECRET_BODY_MIN = 32;
export const SECRET_BODY_MAX = 128;
const SECRET_RE = new RegExp(`^pw_sk_[A-Za-z0-9_-]{${SECRET_BODY_MIN},${SECRET_BODY_MAX}}$`);
/** For error messages and docs: what a key must look like. */
export const SECRET_FORMAT = `pw_sk_ followed by ${SECRET_BODY_MIN} to ${SECRET_BODY_MAX} letters, digits, - or _`;

export type ParsedSecret = { lookupId: string; secret: string };

export function generateSecret(): string {
  const lookup = randomBytes(6).toString("base64url"); // 8 chars
  const body = randomBytes(24).toString("base64url"); // 32 chars
  return `${KEY_PREFIX}${lookup}${body}`;
}

/** Returns null for anything that is not key-shaped, before any database work. */
export function parseSecret(secret: string): ParsedSecret | null {
  if (secret.length > KEY_PREFIX.length + SECRET_BODY_MAX || !SECRET_RE.test(secret)) return null;
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
