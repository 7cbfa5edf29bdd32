import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { projects, user } from "@/db/schema";
import { AppError } from "../errors";
import { log } from "../log";
import { ensureMember } from "../projects/members";
import { createProject, ensureProject, SLUG_RE } from "../projects/project-queries";
import { NewAccount as NewAccountSchema, type SetupBody } from "./schemas";
import { createUserWithPassword, getUserByEmail } from "./users";

// Serialises first-admin creation across processes (setup page, headless init, two tabs).
const SETUP_LOCK = sql`select pg_advisory_xact_lock(7472017301)`;

/** True until the first account exists; the setup page and route exist only while it is true. */
export async function needsSetup(db: DbOrTx): Promise<boolean> {
  const [row] = await db.select({ id: user.id }).from(user).limit(1);
  return !row;
}

/** What the setup page shows: the projects the first admin will administer. */
export async function listProjectNamesForSetup(db: Db): Promise<string[]> {
  const rows = await db.select({ name: projects.name }).from(projects).orderBy(projects.createdAt);
  return rows.map((r) => r.name);
}

/**
 * Creates the first admin from the setup page: admin of every existing project (so the demo
 * project of the quickstart is theirs), or of a new project when there is none. Refused once any
 * account exists.
 */
export async function setupFirstAdmin(db: Db, input: SetupBody): Promise<{ userId: string; email: string; projectSlugs: string[] }> {
  return db.transaction(async (tx) => {
    await tx.execute(SETUP_LOCK);
    if (!(await needsSetup(tx))) throw setupDone();
    const created = await createUserWithPassword(tx, { email: input.email, name: input.name, password: input.password });
    const all = await adminTargets(tx, input.projectSlug);
    for (const p of all) await ensureMember(tx, { projectId: p.id, userId: created.id, role: "admin" });
    return { userId: created.id, email: created.email, projectSlugs: all.map((p) => p.slug) };
  });
}

/** Every existing project, or a new one (slug `default` unless given) when there is none. */
async function adminTargets(tx: DbOrTx, newSlug?: string): Promise<{ id: string; slug: string }[]> {
  const all = await tx.select({ id: projects.id, slug: projects.slug }).from(projects).orderBy(projects.createdAt);
  if (all.length > 0) return all;
  const slug = newSlug || "default";
  if (!SLUG_RE.test(slug)) throw new AppError("bad_request:slug", "Project slugs are lowercase letters, digits and dashes (max 63).");
  const project = await createProject(tx, { slug });
  return [{ id: project.id, slug: project.slug }];
}

export function setupDone(): AppError {
  return new AppError("not_found:setup", "Setup is already done: sign in instead.");
}

/**
 * Headless init (PITWALL_INIT_ADMIN_EMAIL / PITWALL_INIT_ADMIN_PASSWORD): creates that account once
 * and makes it admin of the init project, at creation only. Once the account exists, start-up
 * leaves it alone: its password, and its roles, which admins may since have changed or removed.
 */
export async function ensureInitAdmin(db: Db, params: { email: string; password: string; projectSlug?: string }): Promise<void> {
  const parsed = NewAccountSchema.safeParse({ email: params.email, password: params.password, name: params.email.split("@")[0] || "admin" });
  if (!parsed.success) {
    log.error({ issue: parsed.error.issues[0]?.message }, "PITWALL_INIT_ADMIN_EMAIL / PITWALL_INIT_ADMIN_PASSWORD are invalid; ignored");
    return;
  }
  const input = parsed.data;
  await db.transaction(async (tx) => {
    await tx.execute(SETUP_LOCK);
    if (await getUserByEmail(tx, input.email)) return;
    const userId = (await createUserWithPassword(tx, input)).id;
    // Without PITWALL_INIT_PROJECT the admin gets what the setup page would give: every project
    // that exists now (or a new `default` one).
    const targets = params.projectSlug ? [await ensureProject(tx, params.projectSlug)] : await adminTargets(tx);
    for (const project of targets) await ensureMember(tx, { projectId: project.id, userId, role: "admin" });
    log.info({ email: input.email, projects: targets.map((p) => p.slug) }, "created the init admin (PITWALL_INIT_ADMIN_EMAIL)");
  });
}
