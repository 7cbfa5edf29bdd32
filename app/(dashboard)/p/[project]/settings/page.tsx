import { getDb } from "@/db/client";
import { getEventCounts } from "@/lib/events/event-counts";
import { keyRateLimitOf } from "@/lib/auth/rate-limit";
import { getProjectById } from "@/lib/projects/project-queries";
import { nanoToUsd } from "@/lib/pricing/compute-cost";
import { requireProjectAccess } from "@/components/shell/project-access";
import { Card, CardTitle } from "@/components/ui/card";
import { ReferenceWorkloadCard } from "@/components/demo/reference-workload-card";
import { SettingsForm } from "./client";

export const dynamic = "force-dynamic";

/** Project name, per-key rate limits (admins change them, everyone reads) and headline counts. */
export default async function SettingsPage({ params }: { params: Promise<{ project: string }> }) {
  const { project: slug } = await params;
  const { membership } = await requireProjectAccess(slug);
  const db = getDb();
  const [project, counts] = await Promise.all([getProjectById(db, membership.projectId), getEventCounts(db, membership.projectId)]);
  if (!project) return null;
  const limit = keyRateLimitOf(project.settings);
  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">Settings</h1>
      <Card className="space-y-3">
        <CardTitle>Events</CardTitle>
        <dl className="grid grid-cols-2 gap-4 md:grid-cols-5" data-testid="event-counts">
          <Stat label="Events (all)" value={counts.total.toLocaleString("en-US")} testId="count-total" />
          <Stat label="Last 24h" value={counts.last24h.toLocaleString("en-US")} testId="count-24h" />
          <Stat label="Last hour" value={counts.lastHour.toLocaleString("en-US")} testId="count-1h" />
          <Stat label="Errors (24h)" value={counts.errors24h.toLocaleString("en-US")} testId="count-errors" />
          <Stat label="Cost (24h)" value={`$${nanoToUsd(BigInt(counts.costNanoUsd24h)).toFixed(4)}`} testId="cost-24h" />
        </dl>
      </Card>
      <SettingsForm
        projectSlug={project.slug}
        canEdit={membership.role === "admin"}
        initial={{ name: project.name, rateLimitPerSecond: limit.perSecond, rateLimitBurst: limit.burst }}
      />
      <ReferenceWorkloadCard projectSlug={project.slug} canStart={membership.role === "admin"} />
    </div>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div>
      <dt className="text-xs uppercase text-[var(--muted)]">{label}</dt>
      <dd className="mt-1 text-xl font-semibold tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}
