import Link from "next/link";
import { requireProjectAccess } from "@/components/shell/project-access";
import { EmptyState } from "@/components/ui/states";
import { getDb } from "@/db/client";
import { listExperiments } from "@/lib/playground/experiments";

export const dynamic = "force-dynamic";

/** Every playground experiment of the project: who ran it, when, its panes, N and verdict. */
export default async function ExperimentsPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const { membership } = await requireProjectAccess(project);
  const experiments = await listExperiments(getDb(), membership.projectId);
  return (
    <div className="flex flex-col gap-4">
      <div className="flex items-center gap-3">
        <h1 className="text-xl font-semibold">Experiments</h1>
        <Link className="ml-auto text-sm underline" href={`/p/${project}/playground`}>
          New experiment
        </Link>
      </div>
      {experiments.length === 0 ? (
        <EmptyState title="No experiments yet" hint="Every run in the playground is saved here." />
      ) : (
        <table className="w-full text-sm" data-testid="experiments-table">
          <thead className="text-left text-xs text-[var(--muted)]">
            <tr>
              <th className="py-1">Experiment</th>
              <th>Last run by</th>
              <th>Last run</th>
              <th>Panes</th>
              <th>Runs</th>
              <th>N</th>
              <th>Verdict</th>
            </tr>
          </thead>
          <tbody>
            {experiments.map((e) => (
              <tr key={e.id} className="border-t border-[var(--border)] align-top" data-experiment={e.id}>
                <td className="py-1">
                  <Link className="underline" href={`/p/${project}/playground?experiment=${e.id}`}>
                    {e.name}
                  </Link>
                  <div className="font-mono text-xs text-[var(--muted)]">{e.id}</div>
                </td>
                <td>{e.lastRunBy ?? e.createdBy}</td>
                <td>{e.updatedAt.toISOString().slice(0, 16).replace("T", " ")} UTC</td>
                <td>{e.panes.join(", ")}</td>
                <td>{e.runs}</td>
                <td>{e.lastN ?? "—"}</td>
                <td className="max-w-md">{e.verdict ?? (e.lastN === 1 ? "single race" : "—")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
