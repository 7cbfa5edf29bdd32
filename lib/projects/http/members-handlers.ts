import { z } from "zod";
import type { Db } from "@/db/client";
import { AppError } from "../../errors";
import { json } from "../../http/web-handler";
import { authenticate, authenticateUser } from "../../auth/caller";
import { jsonWithCookies, parseBody, projectParam } from "../../auth/http/parse";
import { signInCookies } from "../../auth/http/auth-handler";
import { assertSameOrigin } from "../../auth/origin-check";
import { Email, NewAccount, Role, UuidParam } from "../../auth/schemas";
import { hasSessionCookie } from "../../auth/session";
import { createUserWithPassword } from "../../auth/users";
import { listMembers, removeMember, setMemberRole } from "../members";
import { inviteMailerFromEnv, mailInvite } from "../invite-mail";
import { getProjectById } from "../project-queries";
import { acceptInvite, createInvite, findPendingInvite, listPendingInvites, revokeInvite } from "../invites";
import { publicUrl, requestHost, requestIsHttps } from "../../auth/request-origin";

const USER_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export const PatchMemberBody = z.object({ role: Role }).strict();
export const CreateInviteBody = z.object({ role: Role, email: Email.optional().nullable() }).strict();
const InviteToken = z.string().max(100, "Invalid invitation token.");
export const AcceptInviteBody = z.union([
  z.object({ token: InviteToken }).strict(),
  NewAccount.extend({ token: InviteToken }).strict(),
]);

/** GET /api/v1/members?project=: members and roles (admins). */
export async function getMembers(db: Db, req: Request): Promise<Response> {
  const caller = await authenticate(db, req, { role: "admin", projectSlug: projectParam(req) });
  return json({ members: await listMembers(db, caller.projectId) });
}

/** PATCH /api/v1/members/<userId>?project=: change a role; the last admin cannot be demoted. */
export async function patchMember(db: Db, req: Request, userId: string): Promise<Response> {
  const caller = await authenticate(db, req, { role: "admin", projectSlug: projectParam(req) });
  const body = await parseBody(req, PatchMemberBody);
  if (!USER_ID_RE.test(userId)) throw new AppError("not_found:member", "No member with that id in this project.");
  await setMemberRole(db, { projectId: caller.projectId, userId, role: body.role });
  return json({ userId, role: body.role });
}

/** DELETE /api/v1/members/<userId>?project=: remove someone from this project (not the last admin). */
export async function deleteMember(db: Db, req: Request, userId: string): Promise<Response> {
  const caller = await authenticate(db, req, { role: "admin", projectSlug: projectParam(req) });
  if (!USER_ID_RE.test(userId)) throw new AppError("not_found:member", "No member with that id in this project.");
  await removeMember(db, { projectId: caller.projectId, userId });
  return json({ removed: true });
}

/** GET /api/v1/members/invites?project=: pending invitations (admins). */
export async function getInvites(db: Db, req: Request): Promise<Response> {
  const caller = await authenticate(db, req, { role: "admin", projectSlug: projectParam(req) });
  return json({ invites: await listPendingInvites(db, caller.projectId) });
}

/**
 * POST /api/v1/members/invites?project=: a one-time link for the admin to pass on (there is no
 * mail server); it is shown once and only its hash is stored.
 */
export async function postInvite(db: Db, req: Request): Promise<Response> {
  const caller = await authenticate(db, req, { role: "admin", projectSlug: projectParam(req) });
  if (caller.kind !== "user") throw new AppError("forbidden:api_key", "Invitations are made by signed-in admins.");
  const body = await parseBody(req, CreateInviteBody);
  const invite = await createInvite(db, { projectId: caller.projectId, role: body.role, email: body.email, createdBy: caller.userId });
  const url = `${appOrigin(req)}/invite/${invite.token}`;
  let emailed = false;
  if (body.email) {
    const project = await getProjectById(db, caller.projectId);
    emailed = await mailInvite(inviteMailerFromEnv(), { to: body.email, url, projectName: project?.name ?? "", role: body.role, invitedBy: caller.email });
  }
  return json({ invite: { id: invite.id, role: body.role, email: body.email ?? null, expiresAt: invite.expiresAt }, url, emailed }, { status: 201 });
}

/** DELETE /api/v1/members/invites/<id>?project=: withdraw a pending invitation. */
export async function deleteInvite(db: Db, req: Request, inviteId: string): Promise<Response> {
  const caller = await authenticate(db, req, { role: "admin", projectSlug: projectParam(req) });
  if (!UuidParam.safeParse(inviteId).success) throw new AppError("not_found:invite", "No pending invitation with that id in this project.");
  await revokeInvite(db, { projectId: caller.projectId, inviteId });
  return json({ revoked: true });
}

/**
 * POST /api/v1/members/invites/accept: `{ token }` for a signed-in user, or `{ token, email,
 * name, password }` to create an account (then signed in). The invitation names the project;
 * nothing in the body can point elsewhere.
 */
export async function postAcceptInvite(db: Db, req: Request): Promise<Response> {
  if (hasSessionCookie(req.headers)) {
    const user = await authenticateUser(db, req);
    const body = await parseBody(req, z.object({ token: InviteToken }).strict());
    const invite = await db.transaction((tx) => acceptInvite(tx, { token: body.token, userId: user.userId, email: user.email }));
    return json({ project: invite.projectSlug, role: invite.role, redirectTo: `/p/${invite.projectSlug}/overview` });
  }
  assertSameOrigin(req.headers, req.url);
  const body = await parseBody(req, AcceptInviteBody);
  if (!("password" in body)) throw new AppError("unauthorized:session", "Sign in first, or create an account with this invitation.");
  const invite = await db.transaction(async (tx) => {
    // The link is checked before the account: a bad link never reveals whether an email exists.
    await findPendingInvite(tx, body.token);
    const created = await createUserWithPassword(tx, { email: body.email, name: body.name, password: body.password });
    return acceptInvite(tx, { token: body.token, userId: created.id, email: created.email });
  });
  const cookies = await signInCookies(db, req, body.email, body.password);
  return jsonWithCookies({ project: invite.projectSlug, role: invite.role, redirectTo: `/p/${invite.projectSlug}/overview` }, 201, cookies);
}

function appOrigin(req: Request): string {
  const configured = publicUrl();
  if (configured) return configured;
  const host = requestHost(req.headers, req.url) ?? new URL(req.url).host;
  return `${requestIsHttps(req.headers, req.url) ? "https" : "http"}://${host}`;
}
