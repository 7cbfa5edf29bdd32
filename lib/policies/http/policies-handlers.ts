import { z } from "zod";
import type { Db } from "@/db/client";
import { POLICY_KINDS, type PolicyKind } from "@/db/schema";
import { authenticate, type Caller } from "../../auth/caller";
import { projectParam } from "../../auth/http/parse";
import { roleAtLeast } from "../../auth/roles";
import { AppError } from "../../errors";
import { storableText } from "../../safe-text";
import { json, readJson } from "../../http/web-handler";
import { EMPTY_POLICIES } from "../policy-document";
import { activateVersion, getActiveVersions, getVersion, listVersions, saveVersion, type PolicyVersion } from "../policy-queries";

/** Next passes dynamic segments as a promise. */
export type KindContext = { params: Promise<{ kind: string }> };

const Kind = z.enum(POLICY_KINDS);

async function kindOf(ctx: KindContext): Promise<PolicyKind> {
  const parsed = Kind.safeParse((await ctx.params).kind);
  if (!parsed.success) throw new AppError("not_found:policy_kind", `Unknown policy kind; use one of ${POLICY_KINDS.join(", ")}.`);
  return parsed.data;
}

function actor(caller: Caller): string {
  return caller.kind === "user" ? caller.email : `key:${caller.keyId}`;
}

function presentVersion(v: PolicyVersion) {
  return { version: v.version, document: v.document, comment: v.comment, createdBy: v.createdBy, createdAt: v.createdAt.toISOString() };
}

function badBody(error: z.ZodError): AppError {
  const issues = error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  return new AppError("bad_request:body", "Invalid request body.", { details: { issues } });
}

export type PolicyView = {
  kind: PolicyKind;
  active: { version: number; activatedBy: string | null; activatedAt: string | null; document: unknown };
  versions: ReturnType<typeof presentVersion>[];
  canEdit: boolean;
};

/**
 * What the policies API and page show for one kind: the live document (the empty policy at
 * version 0 when none was saved), the newest 50 versions, and whether the caller may edit.
 */
export async function policyView(db: Db, caller: Caller, kind: PolicyKind): Promise<PolicyView> {
  const [pointers, versions] = await Promise.all([getActiveVersions(db, caller.projectId), listVersions(db, { projectId: caller.projectId, kind, limit: 50 })]);
  const pointer = pointers.find((p) => p.kind === kind);
  let active: PolicyView["active"] = { version: 0, activatedBy: null, activatedAt: null, document: EMPTY_POLICIES[kind] };
  if (pointer) {
    const live = versions.find((v) => v.version === pointer.version) ?? (await getVersion(db, { projectId: caller.projectId, kind, version: pointer.version }));
    active = { version: pointer.version, activatedBy: pointer.activatedBy, activatedAt: pointer.activatedAt.toISOString(), document: live?.document ?? null };
  }
  return {
    kind,
    active,
    versions: versions.map(presentVersion),
    canEdit: caller.kind === "user" && roleAtLeast(caller.role, "editor"),
  };
}

/** GET /api/v1/policies/:kind?project=slug: see policyView. Viewers and keys with metrics:read may read. */
export async function getPolicy(db: Db, req: Request, ctx: KindContext): Promise<Response> {
  const kind = await kindOf(ctx);
  const caller = await authenticate(db, req, { scope: "metrics:read", role: "viewer", projectSlug: projectParam(req) });
  return json(await policyView(db, caller, kind));
}

const PostBody = z.strictObject({
  document: z.unknown().refine((d) => d !== undefined, "the policy document is required"),
  comment: z.string().max(500).superRefine(storableText).optional(),
  /** false saves a draft version without making it live. */
  activate: z.boolean().default(true),
});

/**
 * POST /api/v1/policies/:kind?project=slug: saves a new version (live unless activate: false).
 * Editors only. An invalid document answers 400 with the zod issues under error.details.issues.
 */
export async function postPolicy(db: Db, req: Request, ctx: KindContext): Promise<Response> {
  const kind = await kindOf(ctx);
  const caller = await authenticate(db, req, { role: "editor", projectSlug: projectParam(req) });
  const body = PostBody.safeParse(await readJson(req, 256 * 1024));
  if (!body.success) throw badBody(body.error);
  const saved = await saveVersion(db, {
    projectId: caller.projectId,
    kind,
    document: body.data.document,
    comment: body.data.comment ?? null,
    createdBy: actor(caller),
    activate: body.data.activate,
  });
  return json({ kind, active: body.data.activate, ...presentVersion(saved) }, { status: 201 });
}

// Versions are Postgres integers: a larger number is a 400 here, not a database error.
const ActivateBody = z.strictObject({ version: z.number().int().min(1).max(2_147_483_647) });

/** POST /api/v1/policies/:kind/activate?project=slug { version }: makes a saved version live (a rollback when older). Editors only. */
export async function activatePolicy(db: Db, req: Request, ctx: KindContext): Promise<Response> {
  const kind = await kindOf(ctx);
  const caller = await authenticate(db, req, { role: "editor", projectSlug: projectParam(req) });
  const body = ActivateBody.safeParse(await readJson(req));
  if (!body.success) throw badBody(body.error);
  const active = await activateVersion(db, { projectId: caller.projectId, kind, version: body.data.version, activatedBy: actor(caller) });
  return json({ kind, version: active.version, activatedBy: active.activatedBy, activatedAt: active.activatedAt.toISOString() });
}
