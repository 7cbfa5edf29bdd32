import { eq } from "drizzle-orm";
import type { DbHandle, Db } from "@/db/client";
import { apiKeys } from "@/db/schema";
import { runMigrations } from "@/db/migrate";
import { createApiKey } from "./auth/api-keys";
import { KEY_PREFIX, parseSecret, SECRET_FORMAT, secretMatches } from "./auth/api-key-secret";
import { ensureInitAdmin, needsSetup } from "./auth/setup";
import { ensureSetupTokenFile, removeSetupTokenFile, setupAccess } from "./auth/setup-token";
import { log } from "./log";
import { ensureProject } from "./projects/project-queries";

/**
 * Start-up work, idempotent so every process may run it: migrate, then the headless init of
 * PITWALL_INIT_PROJECT, PITWALL_INIT_API_KEY and PITWALL_INIT_ADMIN_EMAIL / _PASSWORD.
 */
export async function bootstrap(handle: DbHandle, env: NodeJS.ProcessEnv = process.env, opts: { announceSetup?: boolean } = {}): Promise<void> {
  // A setting that cannot work stops start-up: a server that starts but refuses the agents is worse.
  assertInitKeySetting(env);
  await runMigrations(handle);
  const slug = env.PITWALL_INIT_PROJECT;
  if (slug) {
    const project = await ensureProject(handle.db, slug);
    const secret = env.PITWALL_INIT_API_KEY;
    if (secret) await registerInitKey(handle.db, project.id, secret);
  }
  // Headless first admin (PITWALL_INIT_ADMIN_EMAIL / _PASSWORD): admin of the init project.
  if (env.PITWALL_INIT_ADMIN_EMAIL && env.PITWALL_INIT_ADMIN_PASSWORD) {
    await ensureInitAdmin(handle.db, { email: env.PITWALL_INIT_ADMIN_EMAIL, password: env.PITWALL_INIT_ADMIN_PASSWORD, projectSlug: slug });
  }
  if (opts.announceSetup) await announceSetup(handle.db, env);
}

/**
 * The server (not a script) tells the operator how to claim a fresh install: the setup token in
 * the log and in a 0600 file, or that setup is open to this machine only (loopback mode).
 */
async function announceSetup(db: Db, env: NodeJS.ProcessEnv): Promise<void> {
  const access = setupAccess(env);
  if (!(await needsSetup(db))) {
    removeSetupTokenFile(env);
    return;
  }
  const local = `http://localhost:${env.PORT ?? 3000}/setup`;
  if (access === "loopback") {
    log.warn(`No admin yet: open ${local} on this machine to create one (PITWALL_SETUP_ACCESS=loopback).`);
    return;
  }
  const { token, file } = ensureSetupTokenFile(env);
  // Printed on purpose: it is useless once the first admin exists, and the operator needs it.
  log.warn({ setupTokenFile: file }, `No admin yet. Setup token: ${token}  Open ${local}?token=${token} (or enter the token on /setup).`);
}

/** Thrown for a headless-init setting that cannot work; server.ts logs it and exits 1. */
export class StartupConfigError extends Error {}

export function assertInitKeySetting(env: NodeJS.ProcessEnv): void {
  const secret = env.PITWALL_INIT_API_KEY;
  if (!secret) return;
  if (!parseSecret(secret)) {
    throw new StartupConfigError(
      `PITWALL_INIT_API_KEY must be ${SECRET_FORMAT} (e.g. pw_sk_$(openssl rand -hex 24)); got ${secret.length} characters${secret.startsWith(KEY_PREFIX) ? "" : " without the pw_sk_ prefix"}.`,
    );
  }
  if (!env.PITWALL_INIT_PROJECT) throw new StartupConfigError("PITWALL_INIT_API_KEY needs PITWALL_INIT_PROJECT: the project the key belongs to.");
}

async function registerInitKey(db: Db, projectId: string, secret: string): Promise<void> {
  const parsed = parseSecret(secret)!;
  const [existing] = await db
    .select({ projectId: apiKeys.projectId, salt: apiKeys.salt, secretHash: apiKeys.secretHash, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.lookupId, parsed.lookupId));
  if (existing) {
    // The first 8 characters after pw_sk_ are the key's lookup id, unique across keys.
    if (!secretMatches(existing.salt, secret, existing.secretHash)) {
      throw new StartupConfigError("PITWALL_INIT_API_KEY shares its first 8 characters after pw_sk_ with another key; pick a new random key.");
    }
    if (existing.projectId !== projectId) throw new StartupConfigError("PITWALL_INIT_API_KEY is registered to another project than PITWALL_INIT_PROJECT.");
    if (existing.revokedAt) log.warn("PITWALL_INIT_API_KEY was revoked in the app and stays revoked; set a new key to use one");
    return;
  }
  await createApiKey(db, { projectId, name: "init key (PITWALL_INIT_API_KEY)", secret });
  log.info({ project: projectId }, "registered PITWALL_INIT_API_KEY");
}
