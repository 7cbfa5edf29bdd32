import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import type { Db } from "@/db/client";
import { account, instanceSecrets, session, user, verification } from "@/db/schema";
import { log, scrubSecrets } from "../log";
import { extraTrustedOrigins, publicUrl, requestHost, requestIsHttps, CLIENT_IP_HEADER } from "./request-origin";

/**
 * better-auth does the password hashing (scrypt), the session tokens and the cookie attributes
 * (HttpOnly, SameSite=Lax, Secure over HTTPS). Pitwall adds roles, projects, the login limiter and
 * the CSRF check of its own routes around it.
 */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;
export const SESSION_COOKIE = "pitwall.session_token";

function buildAuth(db: Db, secret: string, secure: boolean) {
  return betterAuth({
    appName: "Pitwall",
    secret,
    baseURL: publicUrl(),
    basePath: "/api/auth",
    database: drizzleAdapter(db, { provider: "pg", schema: { user, session, account, verification } }),
    emailAndPassword: {
      enabled: true,
      // Accounts come from the setup page, the headless init and invitations only.
      disableSignUp: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
      autoSignIn: false,
    },
    session: { expiresIn: 7 * 24 * 3600, updateAge: 24 * 3600 },
    // Pitwall's own login limiter (lib/auth/login-rate-limit.ts) is shared over Redis and keyed by
    // account as well as address; better-auth's per-process one would only double count.
    rateLimit: { enabled: false },
    trustedOrigins: (request) => {
      const origins: string[] = [...extraTrustedOrigins()];
      const host = request ? requestHost(request.headers, request.url) : null;
      if (request && host) origins.push(`${requestIsHttps(request.headers, request.url) ? "https" : "http"}://${host}`);
      return origins;
    },
    advanced: {
      useSecureCookies: secure,
      // better-auth skips its origin checks when NODE_ENV=test; tests must see production rules.
      disableOriginCheck: false,
      cookiePrefix: "pitwall",
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      database: { generateId: () => randomBytes(18).toString("base64url") },
    },
    telemetry: { enabled: false },
    logger: {
      level: "warn",
      log: (level, message) => {
        const text = scrubSecrets(String(message));
        if (level === "error") log.error({ source: "better-auth" }, text);
        else log.warn({ source: "better-auth" }, text);
      },
    },
  });
}

export type PitwallAuth = ReturnType<typeof buildAuth>;

type Instances = Map<boolean, Promise<PitwallAuth>>;
const KEY = Symbol.for("pitwall.authInstances");
type G = typeof globalThis & { [KEY]?: WeakMap<Db, Instances> };

/**
 * One better-auth instance per database handle and cookie mode (Secure or not), built on first
 * use. Tests pass their own handle; the app has one per process.
 */
export function getAuth(db: Db, secure: boolean): Promise<PitwallAuth> {
  const g = globalThis as G;
  const byDb = (g[KEY] ??= new WeakMap());
  let instances = byDb.get(db);
  if (!instances) byDb.set(db, (instances = new Map()));
  let auth = instances.get(secure);
  if (!auth) {
    const created = loadAuthSecret(db).then((secret) => buildAuth(db, secret, secure));
    // A failed start (database down) must not be remembered.
    created.catch(() => instances!.delete(secure));
    instances.set(secure, (auth = created));
  }
  return auth;
}

/** The instance matching how this request reached us (HTTPS -> Secure cookies). */
export function getAuthFor(db: Db, headers: Headers, url?: string): Promise<PitwallAuth> {
  return getAuth(db, requestIsHttps(headers, url));
}

/**
 * BETTER_AUTH_SECRET (or PITWALL_AUTH_SECRET) when the operator set one; otherwise a random
 * secret made on first start and kept in the database, so every process signs cookies alike.
 */
export async function loadAuthSecret(db: Db, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env.BETTER_AUTH_SECRET || env.PITWALL_AUTH_SECRET;
  if (fromEnv) return fromEnv;
  await db
    .insert(instanceSecrets)
    .values({ name: "auth", value: randomBytes(32).toString("base64url") })
    .onConflictDoNothing({ target: instanceSecrets.name });
  const [row] = await db.select({ value: instanceSecrets.value }).from(instanceSecrets).where(eq(instanceSecrets.name, "auth")).limit(1);
  if (!row) throw new Error("auth secret missing after insert");
  return row.value;
}
