import type { SearchParams } from "nuqs/server";
import { requireProjectAccess } from "@/components/shell/project-access";
import { EventsClient } from "./client";
import { loadEventsParams } from "./search-params";

export const dynamic = "force-dynamic";

/** Every stored event, newest first, filterable, with a detail panel and a CSV export. */
export default async function EventsPage({ params, searchParams }: { params: Promise<{ project: string }>; searchParams: Promise<SearchParams> }) {
  const { project } = await params;
  await requireProjectAccess(project);
  await loadEventsParams(searchParams);
  return <EventsClient projectSlug={project} />;
}
