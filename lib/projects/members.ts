import { and, asc, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { projectMembers, projects, user } from "@/db/schema";
import { AppError } from "../errors";
import type { Role } from "./roles";
import { SLUG_RE } from "./project-queries";

export type Membership = { projectId: string; slug: string; name: string; role: Role };

/** The caller's role in a project by slug, or undefined when the project is missing or not theirs. */
export async function getMembershipBySlug(db: Db, params: { userId: string; slug: string }): Promise<Membership | undefined> {
  if (!SLUG_RE.test(params.slug)) return undefined;
  const [row] = await db
    .select({ projectId: projects.id, slug: projects.slug, name: projects.name, role: projectMembers.role })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(and(eq(projectMembers.userId, params.userId), eq(projects.slug, params.slug)))
    .limit(1);
  return row;
}

/** The projects a user belongs to, for the switcher and the home redirect (oldest first). */
export async function listProjectsForUser(db: Db, userId: string): Promise<(Membership & { createdAt: Date })[]> {
  return db
    .select({ projectId: projects.id, slug: projects.slug, name: projects.name, role: projectMembers.role, createdAt: projects.createdAt })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(eq(projectMembers.userId, userId))
    .orderBy(asc(projects.createdAt), asc(projects.slug));
}

export async function isAdminAnywhere(db: Db, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ one: sql<number>`1` })
    .from(projectMembers)
    .where(and(eq(projectMembers.userId, userId), eq(projectMembers.role, "admin")))
    .limit(1);
  return Boolean(row);
}

export async function listMembers(db: Db, projectId: string) {
  return db
    .select({ userId: user.id, email: user.email, name: user.name, role: projectMembers.role, since: projectMembers.createdAt })
    .from(projectMembers)
    .innerJoin(user, eq(user.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, projectId))
    .orderBy(asc(projectMembers.createdAt));
}

/** Adds a member, or raises an existing member's role to at least `role` (used by init and setup). */
export async function ensureMember(db: DbOrTx, params: { projectId: string; userId: string; role: Role }): Promise<void> {
  await db
    .insert(projectMembers)
    .values(params)
    .onConflictDoUpdate({
      target: [projectMembers.projectId, projectMembers.userId],
      set: { role: params.role },
      // Never demote: only upgrade viewer/editor to a higher role.
      where: sql`case ${projectMembers.role} when 'admin' then 2 when 'editor' then 1 else 0 end < case ${params.role} when 'admin' then 2 when 'editor' then 1 else 0 end`,
    });
}

/**
 * Changes a member's role. A project always keeps one admin: demoting the last one is refused,
 * and concurrent demotions are serialised by locking the project's admin rows.
 */
export async function setMemberRole(db: Db, params: { projectId: string; userId: string; role: Role }): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await lockMember(tx, params);
    if (current.role === "admin" && params.role !== "admin") await assertAnotherAdmin(tx, params);
    await tx
      .update(projectMembers)
      .set({ role: params.role })
      .where(and(eq(projectMembers.projectId, params.projectId), eq(projectMembers.userId, params.userId)));
  });
}

export async function removeMember(db: Db, params: { projectId: string; userId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await lockMember(tx, params);
    if (current.role === "admin") await assertAnotherAdmin(tx, params);
    await tx.delete(projectMembers).where(and(eq(projectMembers.projectId, params.projectId), eq(projectMembers.userId, params.userId)));
  });
}

async function lockMember(tx: DbOrTx, params: { projectId: string; userId: string }) {
  // Lock the project row so two admins demoting each other cannot both succeed.
  await tx.select({ id: projects.id }).from(projects).where(eq(projects.id, params.projectId)).for("update");
  const [row] = await tx
    .select({ role: projectMembers.role })
    .from(projectMembers)
    .where(and(eq(projectMembers.projectId, params.projectId), eq(projectMembers.userId, params.userId)))
    .limit(1);
  if (!row) throw new AppError("not_found:member", "No member with that id in this project.");
  return row;
}

async function assertAnotherAdmin(tx: DbOrTx, params: { projectId: string; userId: string }) {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(projectMembers)
    .where(and(eq(projectMembers.projectId, params.projectId), eq(projectMembers.role, "admin"), sql`${projectMembers.userId} <> ${params.userId}`));
  if (!row || row.n === 0) throw new AppError("conflict:last_admin", "A project needs at least one admin; make someone else admin first.");
}
