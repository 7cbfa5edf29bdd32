import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { webHandler } from "../../http/web-handler";
import { cookieHeaderFrom, signedInUser, webRequest, type TestUser } from "../../auth/testing/sessions";
import { getSessionUser } from "../../auth/session";
import { getMembershipBySlug } from "../members";
import { createProject } from "../project-queries";
import { deleteInvite, deleteMember, getInvites, getMembers, patchMember, postAcceptInvite, postInvite } from "./members-handlers";

let handle: DbHandle;
let admin: TestUser;
let slug: string;
let projectId: string;

beforeAll(async () => {
  handle = await createTestDb();
  const project = await createProject(handle.db, { slug: "team" });
  slug = project.slug;
  projectId = project.id;
  admin = await signedInUser(handle.db, { projectId, role: "admin" });
});
afterAll(async () => handle?.close());

const call = (fn: (r: Request) => Promise<Response>, req: Request) => webHandler(fn)(req, undefined);
const invite = async (body: unknown, cookie = admin.cookie) => {
  const res = await call((r) => postInvite(handle.db, r), webRequest(`/api/v1/members/invites?project=${slug}`, { method: "POST", body, cookie }));
  return { res, body: (await res.json()) as { invite: { id: string }; url: string } };
};
const accept = (body: unknown, cookie?: string) =>
  call((r) => postAcceptInvite(handle.db, r), webRequest("/api/v1/members/invites/accept", { method: "POST", body, cookie }));
const tokenOf = (url: string) => url.split("/invite/")[1]!;
const members = async () =>
  ((await (await call((r) => getMembers(handle.db, r), webRequest(`/api/v1/members?project=${slug}`, { cookie: admin.cookie }))).json()) as {
    members: { userId: string; email: string; role: string }[];
  }).members;

describe("invitations", () => {
  it("an admin gets a one-time link; a new person accepts it with an account and is signed in as a viewer", async () => {
    const { res, body } = await invite({ role: "viewer" });
    expect(res.status).toBe(201);
    expect(body.url).toMatch(/^http:\/\/localhost\/invite\/[A-Za-z0-9_-]{43}$/);

    const pending = (await (await call((r) => getInvites(handle.db, r), webRequest(`/api/v1/members/invites?project=${slug}`, { cookie: admin.cookie }))).json()) as {
      invites: { id: string; role: string }[];
    };
    expect(pending.invites.map((i) => [i.id, i.role])).toContainEqual([body.invite.id, "viewer"]);
    expect(JSON.stringify(pending)).not.toContain(tokenOf(body.url));

    const accepted = await accept({ token: tokenOf(body.url), email: "New.Viewer@example.com", name: "Vi", password: "viewer password 1" });
    expect(accepted.status).toBe(201);
    const me = await getSessionUser(handle.db, new Headers({ cookie: cookieHeaderFrom(accepted) }));
    expect(me?.email).toBe("new.viewer@example.com");
    expect((await getMembershipBySlug(handle.db, { userId: me!.userId, slug }))?.role).toBe("viewer");

    // Spent: the same link cannot be used twice.
    const again = await accept({ token: tokenOf(body.url), email: "other@example.com", name: "O", password: "other password 12" });
    expect(again.status).toBe(404);
  });

  it("a signed-in user accepts with the token alone; an existing member is only ever upgraded", async () => {
    const other = await createProject(handle.db, { slug: "elsewhere" });
    const someone = await signedInUser(handle.db, { projectId: other.id, role: "admin" });
    const { body } = await invite({ role: "editor" });
    const res = await accept({ token: tokenOf(body.url) }, someone.cookie);
    expect(res.status).toBe(200);
    expect((await getMembershipBySlug(handle.db, { userId: someone.userId, slug }))?.role).toBe("editor");
    const { body: lower } = await invite({ role: "viewer" });
    expect((await accept({ token: tokenOf(lower.url) }, someone.cookie)).status).toBe(200);
    expect((await getMembershipBySlug(handle.db, { userId: someone.userId, slug }))?.role).toBe("editor");
  });

  it("an invitation bound to an email refuses another address", async () => {
    const { body } = await invite({ role: "viewer", email: "only@example.com" });
    const res = await accept({ token: tokenOf(body.url), email: "not-her@example.com", name: "X", password: "some password 12" });
    expect(res.status).toBe(403);
    const ok = await accept({ token: tokenOf(body.url), email: "ONLY@example.com", name: "O", password: "some password 12" });
    expect(ok.status).toBe(201);
  });

  it("a revoked, unknown or malformed link is a 404, and creating an account with a taken email is a 409", async () => {
    const { body } = await invite({ role: "viewer" });
    expect((await call((r) => deleteInvite(handle.db, r, body.invite.id), webRequest(`/api/v1/members/invites/${body.invite.id}?project=${slug}`, { method: "DELETE", cookie: admin.cookie }))).status).toBe(200);
    expect((await accept({ token: tokenOf(body.url), email: "z@example.com", name: "Z", password: "some password 12" })).status).toBe(404);
    expect((await accept({ token: "A".repeat(43), email: "z@example.com", name: "Z", password: "some password 12" })).status).toBe(404);
    expect((await accept({ token: "' or 1=1 --", email: "z@example.com", name: "Z", password: "some password 12" })).status).toBe(404);
    const { body: fresh } = await invite({ role: "viewer" });
    expect((await accept({ token: tokenOf(fresh.url), email: admin.email, name: "A", password: "some password 12" })).status).toBe(409);
  });

  it("refuses a bad role and a short password with clear 400s", async () => {
    expect((await invite({ role: "owner" })).res.status).toBe(400);
    const { body } = await invite({ role: "viewer" });
    const res = await accept({ token: tokenOf(body.url), email: "p@example.com", name: "P", password: "short" });
    expect(res.status).toBe(400);
  });
});

describe("members", () => {
  it("an admin changes roles and removes members, but never the last admin", async () => {
    const editor = await signedInUser(handle.db, { projectId, role: "editor" });
    const patch = (userId: string, role: string) =>
      call((r) => patchMember(handle.db, r, userId), webRequest(`/api/v1/members/${userId}?project=${slug}`, { method: "PATCH", body: { role }, cookie: admin.cookie }));
    const remove = (userId: string, cookie = admin.cookie) =>
      call((r) => deleteMember(handle.db, r, userId), webRequest(`/api/v1/members/${userId}?project=${slug}`, { method: "DELETE", cookie }));

    expect((await patch(editor.userId, "viewer")).status).toBe(200);
    expect((await members()).find((m) => m.userId === editor.userId)?.role).toBe("viewer");

    // The only admin cannot demote or remove themselves.
    expect((await patch(admin.userId, "editor")).status).toBe(409);
    expect((await remove(admin.userId)).status).toBe(409);

    // With a second admin, the first may step down.
    expect((await patch(editor.userId, "admin")).status).toBe(200);
    expect((await patch(admin.userId, "viewer")).status).toBe(200);
    expect((await remove(admin.userId, editor.cookie)).status).toBe(200);
    expect((await getMembershipBySlug(handle.db, { userId: admin.userId, slug }))).toBeUndefined();
    expect((await remove(admin.userId, editor.cookie)).status).toBe(404);
  });
});
