import { getDb } from "@/db/client";
import { isAdminAnywhere, listProjectsForUser } from "@/lib/projects/members";
import { AppShell } from "@/components/shell/app-shell";
import { ProjectSwitcher } from "@/components/shell/project-switcher";
import { requireProjectAccess } from "@/components/shell/project-access";
import { RoleProvider } from "@/components/shell/role-context";
import { UserMenu } from "@/components/shell/user-menu";
import { UpstreamBadge } from "@/components/shell/upstream-badge";

export const dynamic = "force-dynamic";

/**
 * Every project page sits behind this guard: signed out -> sign-in, not a member -> 404. The role
 * flows to client components through RoleProvider; route handlers check it again on the server.
 */
export default async function ProjectLayout({ children, params }: { children: React.ReactNode; params: Promise<{ project: string }> }) {
  const { project: slug } = await params;
  const { user, membership } = await requireProjectAccess(slug);
  const db = getDb();
  const [projects, canCreate] = await Promise.all([listProjectsForUser(db, user.userId), isAdminAnywhere(db, user.userId)]);
  return (
    <AppShell
      projectSlug={membership.slug}
      projectName={membership.name}
      role={membership.role}
      topBar={
        <>
          <UpstreamBadge />
          <ProjectSwitcher projects={projects.map((p) => ({ slug: p.slug, name: p.name, role: p.role }))} current={membership.slug} canCreate={canCreate} />
          <UserMenu email={user.email} name={user.name} />
        </>
      }
    >
      <RoleProvider role={membership.role}>{children}</RoleProvider>
    </AppShell>
  );
}
