import { z } from "zod";
import type { Db } from "@/db/client";
import { AppError } from "../../errors";
import { storableText } from "../../safe-text";
import { json } from "../../http/web-handler";
import { authenticate, authenticateUser } from "../../auth/caller";
import { parseBody } from "../../auth/http/parse";
import { keyRateLimitOf, keyRateLimiter } from "../../auth/rate-limit";
import { isAdminAnywhere, listProjectsForUser } from "../members";
import { createProjectForUser, getProjectById, SLUG_RE, updateProject } from "../project-queries";

const ProjectName = z.string().trim().min(1, "Name the project.").max(100, "Project names have at most 100 characters.").superRefine(storableText);

export const CreateProjectBody = z
  .object({
    slug: z.string().trim().regex(SLUG_RE, "Slugs are lowercase letters, digits and dashes (max 63)."),
    name: ProjectName.optional(),
  })
  .strict();

export const PatchProjectBody = z
  .object({
    name: ProjectName.optional(),
    settings: z
      .object({
        rateLimitPerSecond: z.number().int().min(0).max(1_000_000).optional(),
        rateLimitBurst: z.number().int().min(0).max(10_000_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** GET /api/v1/projects: the signed-in user's projects and roles (the project switcher). */
export async function getMyProjects(db: Db, req: Request): Promise<Response> {
  const user = await authenticateUser(db, req);
  const rows = await listProjectsForUser(db, user.userId);
  return json({ projects: rows.map((p) => ({ slug: p.slug, name: p.name, role: p.role })) });
}

/** POST /api/v1/projects: operators (admins of some project) create projects and administer them. */
export async function postProject(db: Db, req: Request): Promise<Response> {
  const user = await authenticateUser(db, req);
  if (!(await isAdminAnywhere(db, user.userId))) {
    throw new AppError("forbidden:role", "Only project admins can create projects.");
  }
  const body = await parseBody(req, CreateProjectBody);
  const project = await createProjectForUser(db, { slug: body.slug, name: body.name, userId: user.userId });
  return json({ project: { slug: project.slug, name: project.name, role: "admin" } }, { status: 201 });
}

/** GET /api/v1/projects/<slug>: name, settings and effective key rate limit (viewer or metrics key). */
export async function getProject(db: Db, req: Request, slug: string): Promise<Response> {
  const caller = await authenticate(db, req, { role: "viewer", scope: "metrics:read", projectSlug: slug });
  const project = await getProjectById(db, caller.projectId);
  if (!project) throw new AppError("not_found:project", "No such project.");
  return json({ project: present(project, caller.kind === "user" ? caller.role : null) });
}

/** PATCH /api/v1/projects/<slug>: rename and rate limits (admins). */
export async function patchProject(db: Db, req: Request, slug: string): Promise<Response> {
  const caller = await authenticate(db, req, { role: "admin", projectSlug: slug });
  const body = await parseBody(req, PatchProjectBody);
  const project = await updateProject(db, caller.projectId, body);
  if (!project) throw new AppError("not_found:project", "No such project.");
  keyRateLimiter().invalidate(caller.projectId);
  return json({ project: present(project, caller.kind === "user" ? caller.role : null) });
}

function present(project: NonNullable<Awaited<ReturnType<typeof getProjectById>>>, role: string | null) {
  return {
    slug: project.slug,
    name: project.name,
    createdAt: project.createdAt,
    settings: project.settings,
    keyRateLimit: keyRateLimitOf(project.settings),
    role,
  };
}
