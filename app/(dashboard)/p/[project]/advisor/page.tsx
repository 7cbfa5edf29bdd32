import { requireProjectAccess } from "@/components/shell/project-access";
import { AdvisorClient } from "./client";

export const dynamic = "force-dynamic";

/** The optimization advisor: findings ranked by $ saved, the phased plan, and the what-if replay. */
export default async function AdvisorPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const { membership } = await requireProjectAccess(project);
  return <AdvisorClient projectSlug={project} role={membership.role} />;
}
