import { getDb } from "@/db/client";
import { listApiKeys } from "@/lib/auth/api-keys";
import { requireProjectAccess } from "@/components/shell/project-access";
import { EmptyState } from "@/components/ui/states";
import { KeysClient, type KeyRow } from "./client";

export const dynamic = "force-dynamic";

/** API keys: admins only (the page and /api/v1/keys both check). */
export default async function KeysPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const { membership } = await requireProjectAccess(project);
  if (membership.role !== "admin") {
    return <EmptyState title="API keys are managed by project admins." hint="Ask an admin of this project for a key." />;
  }
  const keys = await listApiKeys(getDb(), membership.projectId);
  const initial: KeyRow[] = keys.map((k) => ({
    ...k,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  }));
  return <KeysClient projectSlug={project} initial={initial} />;
}
