import { eq } from "drizzle-orm";
import type { DbHandle, Db } from "@/db/client";
import { apiKeys } from "@/db/schema";
import { runMigrations } from "@/db/migrate";
import { createApiKey } from "./auth/api-keys";
import { parseSecret } from "./auth/api-key-secret";
import { ensureInitAdmin } from "./auth/setup";
import { log } from "./log";
import { ensureProject } from "./projects/project-queries";

/**
 * Start-up work, idempotent so every process may run it: migrate, then the headless init of
 * PITWALL_INIT_PROJECT, PITWALL_INIT_API_KEY and PITWALL_INIT_ADMIN_EMAIL / _PASSWORD.
 */
export async function bootstrap(handle: DbHandle, env: NodeJS.ProcessEnv = process.env): Promise<void> {
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
}

async function registerInitKey(db: Db, projectId: string, secret: string): Promise<void> {
  const parsed = parseSecret(secret);
  if (!parsed) {
    log.error("PITWALL_INIT_API_KEY is not a valid pw_sk_ key; ignored");
    return;
  }
  const [existing] = await db.select({ projectId: apiKeys.projectId }).from(apiKeys).where(eq(apiKeys.lookupId, parsed.lookupId));
  if (existing) {
    if (existing.projectId !== projectId) log.error("PITWALL_INIT_API_KEY is registered to another project; ignored");
    return;
  }
  await createApiKey(db, { projectId, name: "init key (PITWALL_INIT_API_KEY)", secret });
  log.info({ project: projectId }, "registered PITWALL_INIT_API_KEY");
}
