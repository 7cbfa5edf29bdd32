import { cache } from "react";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { getSessionUser, type SessionUser } from "@/lib/auth/session";
import { getMembershipBySlug, type Membership } from "@/lib/projects/members";

/**
 * Server-side access for pages (layouts and server components), one lookup per render:
 * signed out -> sign-in, not a member -> 404 (a project's existence is not revealed).
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => getSessionUser(getDb(), await headers()));

export async function requireUser(next: string): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(next)}`);
  return user;
}

export const requireProjectAccess = cache(async (slug: string): Promise<{ user: SessionUser; membership: Membership }> => {
  const user = await requireUser(`/p/${slug}/overview`);
  const membership = await getMembershipBySlug(getDb(), { userId: user.userId, slug });
  if (!membership) notFound();
  return { user, membership };
});
