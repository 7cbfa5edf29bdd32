import { z } from "zod";
import type { Db } from "@/db/client";
import type { PolicyKind } from "@/db/schema";
import { authenticate, type Caller } from "../../auth/caller";
import { projectParam } from "../../auth/http/parse";
import { roleAtLeast } from "../../projects/roles";
import { storableText } from "../../safe-text";
import { json, readJson } from "../../http/web-handler";
import { EMPTY_POLICIES, type PolicyDocument } from "../policy-document";
import { activateVersion, getActiveVersions, getVersion, listVersions, saveVersion, type PolicyVersion } from "../policy-queries";
import { actor, badBody, ifMatchVersion, modelWarnings, parseKind, versionEtag } from "./policy-http";

/** Next passes dynamic segments as a promise. */
export type KindContext = { params: Promise<{ kind: string }> };

async function kindOf(ctx: KindContext): Promise<PolicyKind> {
  return parseKind((await ctx.params).kind);
}

function presentVersion(v: PolicyVersion) {
  return { version: v.version, document: v.document, comment: v.comment, createdBy: v.createdBy, createdAt: v.createdAt.toISOString() };
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
  const view = await policyView(db, caller, kind);
  return json(view, { headers: { etag: versionEtag(view.active.version) } });
}

/**
 * GET /api/v1/policies?project=slug: both live documents with their versions, for agents and SDKs
 * that poll. The ETag names both versions; If-None-Match with it answers 304 without a body.
 * Any key of the project may read them: an agent applying them in process (pitwall/sdk) holds an
 * ingest key, one behind the gateway a gateway key.
 */
export async function getPolicies(db: Db, req: Request): Promise<Response> {
  const caller = await authenticate(db, req, { scope: ["metrics:read", "ingest", "gateway"], role: "viewer", projectSlug: projectParam(req) });
  const pointers = await getActiveVersions(db, caller.projectId);
  const routing = pointers.find((p) => p.kind === "routing");
  const cache = pointers.find((p) => p.kind === "cache");
  const etag = `"routing-${routing?.version ?? 0}.cache-${cache?.version ?? 0}"`;
  const cacheHeaders = { etag, "cache-control": "private, no-cache" };
  const ifNoneMatch = req.headers.get("if-none-match");
  if (ifNoneMatch && ifNoneMatch.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) return new Response(null, { status: 304, headers: cacheHeaders });
  const live = async (kind: PolicyKind, pointer: typeof routing) => {
    if (!pointer) return { version: 0, document: EMPTY_POLICIES[kind], activatedBy: null, activatedAt: null };
    const v = await getVersion(db, { projectId: caller.projectId, kind, version: pointer.version });
    return { version: pointer.version, document: v?.document ?? null, activatedBy: pointer.activatedBy, activatedAt: pointer.activatedAt.toISOString() };
  };
  const [r, c] = await Promise.all([live("routing", routing), live("cache", cache)]);
  return json({ routing: r, cache: c }, { headers: cacheHeaders });
}

const PostBody = z.strictObject({
  document: z.unknown().refine((d) => d !== undefined, "the policy document is required"),
  comment: z.string().max(500).superRefine(storableText).optional(),
  /** false saves a draft version without making it live. */
  activate: z.boolean().default(true),
  /** The body's form of If-Match, for clients that cannot set headers. */
  expectedVersion: z.number().int().min(0).max(2_147_483_647).optional(),
});

/**
 * POST /api/v1/policies/:kind?project=slug: saves a new version (live unless activate: false).
 * Editors only. An invalid document answers 400 with the zod issues under error.details.issues.
 */
export async function postPolicy(db: Db, req: Request, ctx: KindContext): Promise<Response> {
  return save(db, req, await kindOf(ctx), 201);
}

/**
 * PUT /api/v1/policies/:kind?project=slug { document, comment?, expectedVersion? } with
 * `If-Match: "<live version>"`: saves and activates, 409 when the live version moved meanwhile.
 */
export async function putPolicy(db: Db, req: Request, ctx: KindContext): Promise<Response> {
  return save(db, req, await kindOf(ctx), 200);
}

async function save(db: Db, req: Request, kind: PolicyKind, status: number): Promise<Response> {
  const caller = await authenticate(db, req, { role: "editor", projectSlug: projectParam(req) });
  const ifMatch = ifMatchVersion(req);
  // 1 MB: a document past the 200-rule limit must reach the schema and get its clear message.
  const body = PostBody.safeParse(await readJson(req, 1024 * 1024));
  if (!body.success) throw badBody(body.error);
  const expectedVersion = ifMatch ?? body.data.expectedVersion;
  const saved = await saveVersion(db, {
    projectId: caller.projectId,
    kind,
    document: body.data.document,
    comment: body.data.comment ?? null,
    createdBy: actor(caller),
    activate: body.data.activate,
    ...(expectedVersion !== undefined ? { expectedVersion } : {}),
  });
  const warnings = await modelWarnings(db, caller.projectId, kind, saved.document as unknown as PolicyDocument<typeof kind>);
  const headers = body.data.activate ? { etag: versionEtag(saved.version) } : undefined;
  return json({ kind, active: body.data.activate, ...presentVersion(saved), warnings }, { status, ...(headers ? { headers } : {}) });
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
