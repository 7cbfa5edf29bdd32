import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { projectInvites, projects, user } from "@/db/schema";
import { AppError } from "../errors";
import type { Role } from "./roles";
import { ensureMember } from "./members";

export const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Creates a one-time invitation; the token exists only in the returned value (and the link). */
export async function createInvite(
  db: Db,
  params: { projectId: string; role: Role; email?: string | null; createdBy: string; now?: Date },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date((params.now ?? new Date()).getTime() + INVITE_TTL_MS);
  const [row] = await db
    .insert(projectInvites)
    .values({
      projectId: params.projectId,
      tokenHash: hashToken(token),
      role: params.role,
      email: params.email ? params.email.trim().toLowerCase() : null,
      createdBy: params.createdBy,
      expiresAt,
    })
    .returning({ id: projectInvites.id });
  return { id: row!.id, token, expiresAt };
}

export async function listPendingInvites(db: Db, projectId: string, now = new Date()) {
  return db
    .select({
      id: projectInvites.id,
      role: projectInvites.role,
      email: projectInvites.email,
      createdAt: projectInvites.createdAt,
      expiresAt: projectInvites.expiresAt,
      createdByEmail: user.email,
    })
    .from(projectInvites)
    .leftJoin(user, eq(user.id, projectInvites.createdBy))
    .where(
      and(
        eq(projectInvites.projectId, projectId),
        isNull(projectInvites.acceptedAt),
        isNull(projectInvites.revokedAt),
        gt(projectInvites.expiresAt, now),
      ),
    )
    .orderBy(desc(projectInvites.createdAt));
}

export async function revokeInvite(db: Db, params: { projectId: string; inviteId: string }): Promise<void> {
  const rows = await db
    .update(projectInvites)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(projectInvites.id, params.inviteId),
        eq(projectInvites.projectId, params.projectId),
        isNull(projectInvites.acceptedAt),
        isNull(projectInvites.revokedAt),
      ),
    )
    .returning({ id: projectInvites.id });
  if (rows.length === 0) throw new AppError("not_found:invite", "No pending invitation with that id in this project.");
}

export type InviteInfo = { id: string; projectId: string; projectSlug: string; projectName: string; role: Role; email: string | null };

function invalidInvite(): AppError {
  // One answer for unknown, used, revoked and expired links: a token guesser learns nothing.
  return new AppError("not_found:invite", "This invitation link is invalid, used or expired. Ask an admin for a new one.");
}

/** A pending invitation by token, for the acceptance page; throws 404 when it cannot be used. */
export async function findPendingInvite(db: DbOrTx, token: string, now = new Date(), lock = false): Promise<InviteInfo> {
  if (!TOKEN_RE.test(token)) throw invalidInvite();
  const query = db
    .select({
      id: projectInvites.id,
      projectId: projectInvites.projectId,
      projectSlug: projects.slug,
      projectName: projects.name,
      role: projectInvites.role,
      email: projectInvites.email,
    })
    .from(projectInvites)
    .innerJoin(projects, eq(projects.id, projectInvites.projectId))
    .where(
      and(
        eq(projectInvites.tokenHash, hashToken(token)),
        isNull(projectInvites.acceptedAt),
        isNull(projectInvites.revokedAt),
        gt(projectInvites.expiresAt, now),
      ),
    )
    .limit(1);
  const [row] = lock ? await query.for("update", { of: projectInvites }) : await query;
  if (!row) throw invalidInvite();
  return row;
}

/**
 * Uses an invitation for a signed-in (or just created) user: membership with the invited role
 * (an existing member is only ever upgraded), and the link is spent. Run inside a transaction.
 */
export async function acceptInvite(db: DbOrTx, params: { token: string; userId: string; email: string; now?: Date }): Promise<InviteInfo> {
  const invite = await findPendingInvite(db, params.token, params.now, true);
  if (invite.email && invite.email !== params.email.trim().toLowerCase()) {
    throw new AppError("forbidden:invite_email", "This invitation is for another email address.");
  }
  await ensureMember(db, { projectId: invite.projectId, userId: params.userId, role: invite.role });
  await db
    .update(projectInvites)
    .set({ acceptedAt: params.now ?? new Date(), acceptedBy: params.userId })
    .where(eq(projectInvites.id, invite.id));
  return invite;
}
