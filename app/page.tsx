import { getDb } from "@/db/client";
import { getEventCounts } from "@/lib/events/event-counts";
import { getProjectBySlug } from "@/lib/projects/project-queries";
import { nanoToUsd } from "@/lib/pricing/compute-cost";

export const dynamic = "force-dynamic";

export default async function Home() {
  const db = getDb();
  const slug = process.env.PITWALL_INIT_PROJECT ?? "demo";
  const project = await getProjectBySlug(db, slug);
  const counts = project ? await getEventCounts(db, project.id) : null;
  return (
    <main className="mx-auto max-w-5xl p-8">
      <h1 className="text-2xl font-semibold">Pitwall</h1>
      <p className="text-sm text-[var(--muted)]">Project: {project?.name ?? "none yet"}</p>
      {counts ? (
        <dl className="mt-6 grid grid-cols-2 gap-4 md:grid-cols-5" data-testid="event-counts">
          <Stat label="Events (all)" value={counts.total.toLocaleString()} testId="count-total" />
          <Stat label="Last 24h" value={counts.last24h.toLocaleString()} testId="count-24h" />
          <Stat label="Last hour" value={counts.lastHour.toLocaleString()} testId="count-1h" />
          <Stat label="Errors (24h)" value={counts.errors24h.toLocaleString()} testId="count-errors" />
          <Stat label="Cost (24h)" value={`$${nanoToUsd(BigInt(counts.costNanoUsd24h)).toFixed(4)}`} testId="cost-24h" />
        </dl>
      ) : (
        <p className="mt-6">No project yet. Set PITWALL_INIT_PROJECT or create one.</p>
      )}
    </main>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="rounded-lg border border-[var(--border)] bg-[var(--card)] p-4">
      <dt className="text-xs uppercase text-[var(--muted)]">{label}</dt>
      <dd className="mt-1 text-xl font-semibold tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}
