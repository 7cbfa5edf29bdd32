import { eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { projectMembers, projects, type ProjectSettings } from "@/db/schema";
import { seedPrices } from "../pricing/price-queries";
import { AppError } from "../errors";

import { SLUG_RE } from "./slug-rule";

export { SLUG_RE };

export async function getProjectBySlug(db: Db, slug: string) {
  // Anything that is not slug-shaped (a NUL from a URL, say) names no project: never a query.
  if (!SLUG_RE.test(slug)) return undefined;
  const [row] = await db.select().from(projects).where(eq(projects.slug, slug)).limit(1);
  return row;
}

export async function getProjectById(db: Db, id: string) {
  const [row] = await db.select().from(projects).where(eq(projects.id, id)).limit(1);
  return row;
}

/** Creates a project with the seeded price table. */
export async function createProject(db: DbOrTx, params: { slug: string; name?: string }) {
  if (!SLUG_RE.test(params.slug)) {
    throw new AppError("bad_request:slug", "Project slugs are lowercase letters, digits and dashes (max 63).");
  }
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(projects)
      .values({ slug: params.slug, name: params.name ?? params.slug })
      .onConflictDoNothing({ target: projects.slug })
      .returning();
    if (!row) throw new AppError("conflict:project_slug", "A project with that slug already exists.");
    await seedPrices(tx, row.id);
    return row;
  });
}

/** Idempotent, and safe when two processes start at once. */
export async function ensureProject(db: DbOrTx, slug: string, name?: string) {
  const existing = await getProjectBySlug(db, slug);
  if (existing) return existing;
  try {
    return await createProject(db, { slug, name });
  } catch (err) {
    const raced = err instanceof AppError && err.code === "conflict:project_slug" ? await getProjectBySlug(db, slug) : undefined;
    if (raced) return raced;
    throw err;
  }
}

/** Renames a project and/or merges settings; the slug (the URL) never changes. */
export async function updateProject(db: Db, projectId: string, patch: { name?: string; settings?: ProjectSettings }) {
  const set: Partial<typeof projects.$inferInsert> = {};
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.settings !== undefined) {
    // jsonb || merges top-level fields, so a partial settings patch keeps the others.
    (set as Record<string, unknown>).settings = sql`${projects.settings} || ${JSON.stringify(patch.settings)}::jsonb`;
  }
  if (Object.keys(set).length === 0) return getProjectById(db, projectId);
  const [row] = await db.update(projects).set(set).where(eq(projects.id, projectId)).returning();
  if (!row) throw new AppError("not_found:project", "No such project.");
  return row;
}

/** Creates a project whose creator is its first admin. */
export async function createProjectForUser(db: Db, params: { slug: string; name?: string; userId: string }) {
  return db.transaction(async (tx) => {
    const project = await createProject(tx, params);
    await tx.insert(projectMembers).values({ projectId: project.id, userId: params.userId, role: "admin" });
    return project;
  });
}
