import type { SearchParams } from "nuqs/server";
import { getDb } from "@/db/client";
import { getEventCounts } from "@/lib/events/event-counts";
import { requireProjectAccess } from "@/components/shell/project-access";
import { OverviewClient } from "./client";
import { loadOverviewParams } from "./search-params";

export const dynamic = "force-dynamic";

/** The project at a glance: KPIs against the previous period, six charts, stored event counts. */
export default async function OverviewPage({ params, searchParams }: { params: Promise<{ project: string }>; searchParams: Promise<SearchParams> }) {
  const { project } = await params;
  const { membership } = await requireProjectAccess(project);
  // Parsed here as on the client, so a bad value in a shared link falls back the same way.
  const { range } = await loadOverviewParams(searchParams);
  const counts = await getEventCounts(getDb(), membership.projectId);
  return <OverviewClient projectSlug={project} counts={counts} initialRange={range} />;
}
