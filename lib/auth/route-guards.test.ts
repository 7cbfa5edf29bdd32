import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { apiKeys, projectInvites, projectMembers, projects } from "@/db/schema";
import { webHandler } from "../http/web-handler";
import { createInvite } from "../projects/invites";
import { createProject } from "../projects/project-queries";
import { deleteInvite, deleteMember, getInvites, getMembers, patchMember, postAcceptInvite, postInvite } from "../projects/http/members-handlers";
import { getMyProjects, getProject, patchProject, postProject } from "../projects/http/projects-handlers";
import { createApiKey } from "./api-keys";
import { deleteKey, getKeys, postKey } from "./http/keys-handlers";
import { handleAuthRequest } from "./http/auth-handler";
import { signedInUser, webRequest, type TestUser } from "./testing/sessions";

/**
 * The guard matrix of every mutation route (and the reads beside them): anonymous 401, viewer
 * and editor 403 where admin is needed, another project's member 404, ids of project B through
 * project A's URL 404 with B untouched, cross-origin cookie requests 403, hostile headers 401.
 */
let handle: DbHandle;
const w: {
  slugA: string;
  slugB: string;
  projectB: string;
  adminA: TestUser;
  editorA: TestUser;
  viewerA: TestUser;
  adminB: TestUser;
  memberB: TestUser;
  keyA: { id: string; secret: string };
  keyB: { id: string; secret: string };
  inviteB: string;
} = {} as never;

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  const a = await createProject(db, { slug: "proj-a" });
  const b = await createProject(db, { slug: "proj-b" });
  w.slugA = a.slug;
  w.slugB = b.slug;
  w.projectB = b.id;
  w.adminA = await signedInUser(db, { projectId: a.id, role: "admin" });
  w.editorA = await signedInUser(db, { projectId: a.id, role: "editor" });
  w.viewerA = await signedInUser(db, { projectId: a.id, role: "viewer" });
  w.adminB = await signedInUser(db, { projectId: b.id, role: "admin" });
  w.memberB = await signedInUser(db, { projectId: b.id, role: "viewer" });
  w.keyA = await createApiKey(db, { projectId: a.id, name: "a" });
  w.keyB = await createApiKey(db, { projectId: b.id, name: "b" });
  w.inviteB = (await createInvite(db, { projectId: b.id, role: "editor", createdBy: w.adminB.userId })).id;
});
afterAll(async () => handle?.close());

type Opts = { cookie?: string; origin?: string | null; headers?: Record<string, string>; body?: unknown; slug?: string; id?: string };
type RouteCase = { name: string; admin: boolean; call: (o: Opts) => Promise<Response> };

const run = (fn: (req: Request) => Promise<Response>, req: Request) => webHandler(fn)(req, undefined);
const db = () => handle.db;

// Each case builds a valid request for project A; options swap the caller, origin, ids or body.
const mutations: RouteCase[] = [
  {
    name: "POST /api/v1/keys",
    admin: true,
    call: (o) => run((r) => postKey(db(), r), webRequest(`/api/v1/keys?project=${o.slug ?? w.slugA}`, { method: "POST", body: o.body ?? { name: "k", scopes: ["ingest"] }, ...o })),
  },
  {
    name: "DELETE /api/v1/keys/:id",
    admin: true,
    call: (o) => run((r) => deleteKey(db(), r, o.id ?? w.keyA.id), webRequest(`/api/v1/keys/${o.id ?? w.keyA.id}?project=${o.slug ?? w.slugA}`, { method: "DELETE", ...o })),
  },
  {
    name: "PATCH /api/v1/projects/:slug",
    admin: true,
    call: (o) => run((r) => patchProject(db(), r, o.slug ?? w.slugA), webRequest(`/api/v1/projects/${o.slug ?? w.slugA}`, { method: "PATCH", body: o.body ?? { name: "Renamed" }, ...o })),
  },
  {
    name: "PATCH /api/v1/members/:userId",
    admin: true,
    call: (o) =>
      run((r) => patchMember(db(), r, o.id ?? w.viewerA.userId), webRequest(`/api/v1/members/${o.id ?? w.viewerA.userId}?project=${o.slug ?? w.slugA}`, { method: "PATCH", body: o.body ?? { role: "viewer" }, ...o })),
  },
  {
    name: "DELETE /api/v1/members/:userId",
    admin: true,
    call: (o) => run((r) => deleteMember(db(), r, o.id ?? "no-such-user"), webRequest(`/api/v1/members/${o.id ?? "no-such-user"}?project=${o.slug ?? w.slugA}`, { method: "DELETE", ...o })),
  },
  {
    name: "POST /api/v1/members/invites",
    admin: true,
    call: (o) => run((r) => postInvite(db(), r), webRequest(`/api/v1/members/invites?project=${o.slug ?? w.slugA}`, { method: "POST", body: o.body ?? { role: "viewer" }, ...o })),
  },
  {
    name: "DELETE /api/v1/members/invites/:id",
    admin: true,
    call: (o) =>
      run((r) => deleteInvite(db(), r, o.id ?? "00000000-0000-4000-8000-000000000000"), webRequest(`/api/v1/members/invites/${o.id ?? "x"}?project=${o.slug ?? w.slugA}`, { method: "DELETE", ...o })),
  },
];

const reads: RouteCase[] = [
  { name: "GET /api/v1/keys", admin: true, call: (o) => run((r) => getKeys(db(), r), webRequest(`/api/v1/keys?project=${o.slug ?? w.slugA}`, o)) },
  { name: "GET /api/v1/members", admin: true, call: (o) => run((r) => getMembers(db(), r), webRequest(`/api/v1/members?project=${o.slug ?? w.slugA}`, o)) },
  { name: "GET /api/v1/members/invites", admin: true, call: (o) => run((r) => getInvites(db(), r), webRequest(`/api/v1/members/invites?project=${o.slug ?? w.slugA}`, o)) },
  { name: "GET /api/v1/projects/:slug", admin: false, call: (o) => run((r) => getProject(db(), r, o.slug ?? w.slugA), webRequest(`/api/v1/projects/${o.slug ?? w.slugA}`, o)) },
];

describe.each([...mutations, ...reads])("$name", ({ call }) => {
  it("refuses an anonymous caller with 401", async () => {
    expect((await call({})).status).toBe(401);
  });

  it("answers 404 to a member of another project, as for a project that does not exist", async () => {
    expect((await call({ cookie: w.adminB.cookie })).status).toBe(404);
    expect((await call({ cookie: w.adminA.cookie, slug: "no-such-project" })).status).toBe(404);
  });

  it("answers 401, never 500, to SQL-looking and oversized Authorization headers", async () => {
    for (const authorization of ["Bearer ' OR '1'='1' --", "Bearer pw_sk_'; drop table api_keys; --", `Bearer ${"A".repeat(64 * 1024)}`, `Bearer pw_sk_${"x".repeat(600)}`]) {
      const res = await call({ headers: { authorization } });
      expect(res.status).toBe(401);
    }
    expect((await call({ headers: { "x-api-key": "' union select secret_hash from api_keys --" } })).status).toBe(401);
  });
});

describe.each([...mutations, ...reads].filter((r) => r.admin))("$name (admins only)", ({ call }) => {
  it("refuses a viewer and an editor with 403", async () => {
    expect((await call({ cookie: w.viewerA.cookie })).status).toBe(403);
    expect((await call({ cookie: w.editorA.cookie })).status).toBe(403);
  });

  it("refuses project API keys: these routes need a signed-in admin", async () => {
    expect((await call({ headers: { authorization: `Bearer ${w.keyA.secret}` } })).status).toBe(403);
  });
});

describe.each(mutations)("$name (CSRF)", ({ call }) => {
  it("refuses a cookie-authenticated request from another origin or without Origin", async () => {
    expect((await call({ cookie: w.viewerA.cookie, origin: "http://evil.example" })).status).toBe(403);
    expect((await call({ cookie: w.adminA.cookie, origin: "http://evil.example" })).status).toBe(403);
    expect((await call({ cookie: w.adminA.cookie, origin: null })).status).toBe(403);
    expect((await call({ cookie: w.adminA.cookie, headers: { "sec-fetch-site": "cross-site" } })).status).toBe(403);
  });
});

describe("IDOR: project B's ids through project A's URL", () => {
  it("cannot revoke B's key", async () => {
    const res = await mutations[1]!.call({ cookie: w.adminA.cookie, id: w.keyB.id });
    expect(res.status).toBe(404);
    const [row] = await handle.db.select({ revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.id, w.keyB.id));
    expect(row!.revokedAt).toBeNull();
  });

  it("cannot change or remove B's member", async () => {
    expect((await mutations[3]!.call({ cookie: w.adminA.cookie, id: w.memberB.userId, body: { role: "admin" } })).status).toBe(404);
    expect((await mutations[4]!.call({ cookie: w.adminA.cookie, id: w.memberB.userId })).status).toBe(404);
    const [row] = await handle.db.select({ role: projectMembers.role }).from(projectMembers).where(eq(projectMembers.userId, w.memberB.userId));
    expect(row!.role).toBe("viewer");
  });

  it("cannot revoke B's invitation", async () => {
    expect((await mutations[6]!.call({ cookie: w.adminA.cookie, id: w.inviteB })).status).toBe(404);
    const [row] = await handle.db.select({ revokedAt: projectInvites.revokedAt }).from(projectInvites).where(eq(projectInvites.id, w.inviteB));
    expect(row!.revokedAt).toBeNull();
  });

  it("cannot point a body at project B: unknown fields are a 400", async () => {
    const res = await mutations[0]!.call({ cookie: w.adminA.cookie, body: { name: "k", scopes: ["ingest"], projectId: w.projectB } });
    expect(res.status).toBe(400);
    const bKeys = await handle.db.select().from(apiKeys).where(eq(apiKeys.projectId, w.projectB));
    expect(bKeys).toHaveLength(1);
    const rename = await mutations[2]!.call({ cookie: w.adminA.cookie, body: { name: "x", slug: w.slugB } });
    expect(rename.status).toBe(400);
  });

  it("cannot read B's keys, members or invitations with A's admin session", async () => {
    for (const r of reads) expect((await r.call({ cookie: w.adminA.cookie, slug: w.slugB })).status).toBe(404);
  });

  it("ids that are not ids at all are a 404, not a database error", async () => {
    expect((await mutations[1]!.call({ cookie: w.adminA.cookie, id: "1' or '1'='1" })).status).toBe(404);
    expect((await mutations[6]!.call({ cookie: w.adminA.cookie, id: "1; drop table projects" })).status).toBe(404);
    expect((await mutations[3]!.call({ cookie: w.adminA.cookie, id: "x'--", body: { role: "viewer" } })).status).toBe(404);
  });

  it("a project key asking for another project is refused", async () => {
    const res = await reads[3]!.call({ headers: { authorization: `Bearer ${w.keyA.secret}` }, slug: w.slugB });
    expect(res.status).toBe(403);
    const own = await reads[3]!.call({ headers: { authorization: `Bearer ${w.keyA.secret}` } });
    expect(own.status).toBe(200);
  });
});

describe("user-level routes", () => {
  const create = (o: Opts) => run((r) => postProject(db(), r), webRequest("/api/v1/projects", { method: "POST", body: o.body ?? { slug: `new-${Date.now()}` }, ...o }));
  const mine = (o: Opts) => run((r) => getMyProjects(db(), r), webRequest("/api/v1/projects", o));
  const accept = (o: Opts) => run((r) => postAcceptInvite(db(), r), webRequest("/api/v1/members/invites/accept", { method: "POST", body: o.body, ...o }));

  it("POST /api/v1/projects: anonymous 401, a viewer-only user 403, an admin 201 and becomes its admin", async () => {
    expect((await create({})).status).toBe(401);
    expect((await create({ cookie: w.viewerA.cookie })).status).toBe(403);
    expect((await create({ cookie: w.adminA.cookie, origin: "http://evil.example" })).status).toBe(403);
    expect((await create({ headers: { authorization: `Bearer ${w.keyA.secret}` } })).status).toBe(403);
    const res = await create({ cookie: w.adminA.cookie, body: { slug: "made-by-a", name: "Made by A" } });
    expect(res.status).toBe(201);
    const list = (await (await mine({ cookie: w.adminA.cookie })).json()) as { projects: { slug: string; role: string }[] };
    expect(list.projects).toEqual(expect.arrayContaining([{ slug: "made-by-a", name: "Made by A", role: "admin" }]));
    expect(list.projects.map((p) => p.slug)).not.toContain(w.slugB);
  });

  it("POST /api/v1/projects: a bad slug or a taken one is a clear 400/409", async () => {
    expect((await create({ cookie: w.adminA.cookie, body: { slug: "Bad Slug!" } })).status).toBe(400);
    expect((await create({ cookie: w.adminA.cookie, body: { slug: w.slugB } })).status).toBe(409);
  });

  it("GET /api/v1/projects: anonymous 401, keys 403", async () => {
    expect((await mine({})).status).toBe(401);
    expect((await mine({ headers: { authorization: `Bearer ${w.keyA.secret}` } })).status).toBe(403);
  });

  it("POST /api/v1/members/invites/accept: a bare token without a session is a 401, a cross-origin one 403", async () => {
    expect((await accept({ body: { token: "x".repeat(43) } })).status).toBe(401);
    expect((await accept({ body: { token: "x".repeat(43), email: "e@x.io", name: "E", password: "long enough pw" }, origin: "http://evil.example" })).status).toBe(403);
  });

  it("POST /api/auth/change-password: anonymous is a 401", async () => {
    const res = await handleAuthRequest(handle.db, webRequest("/api/auth/change-password", { method: "POST", body: { currentPassword: "a".repeat(12), newPassword: "b".repeat(12) } }));
    expect(res.status).toBe(401);
  });

  it("projects rows were never renamed by a refused request", async () => {
    const [b] = await handle.db.select({ name: projects.name }).from(projects).where(eq(projects.id, w.projectB));
    expect(b!.name).toBe(w.slugB);
  });
});
