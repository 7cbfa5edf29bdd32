import { getDb } from "@/db/client";
import { listPendingInvites } from "@/lib/projects/invites";
import { listMembers } from "@/lib/projects/members";
import { requireProjectAccess } from "@/components/shell/project-access";
import { EmptyState } from "@/components/ui/states";
import { MembersClient } from "./client";

export const dynamic = "force-dynamic";

/** Members, roles and invitations: admins only (the page and /api/v1/members both check). */
export default async function MembersPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const { user, membership } = await requireProjectAccess(project);
  if (membership.role !== "admin") {
    return <EmptyState title="Members are managed by project admins." hint={`Your role here: ${membership.role}.`} />;
  }
  const db = getDb();
  const [members, invites] = await Promise.all([listMembers(db, membership.projectId), listPendingInvites(db, membership.projectId)]);
  return (
    <MembersClient
      projectSlug={project}
      me={user.userId}
      initialMembers={members.map((m) => ({ ...m, since: m.since.toISOString() }))}
      initialInvites={invites.map((i) => ({ ...i, createdAt: i.createdAt.toISOString(), expiresAt: i.expiresAt.toISOString() }))}
    />
  );
}
