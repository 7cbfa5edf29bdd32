import type { SearchParams } from "nuqs/server";
import { requireProjectAccess } from "@/components/shell/project-access";
import { SessionsClient } from "./client";
import { loadSessionsParams } from "./search-params";

export const dynamic = "force-dynamic";

/** Sessions active in a range: calls, tokens, cost and how the prompt grows turn by turn. */
export default async function SessionsPage({ params, searchParams }: { params: Promise<{ project: string }>; searchParams: Promise<SearchParams> }) {
  const { project } = await params;
  await requireProjectAccess(project);
  await loadSessionsParams(searchParams);
  return <SessionsClient projectSlug={project} />;
}
