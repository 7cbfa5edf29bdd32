import type { SearchParams } from "nuqs/server";
import { requireProjectAccess } from "@/components/shell/project-access";
import { ModelsClient } from "./client";
import { loadModelsParams } from "./search-params";

export const dynamic = "force-dynamic";

/** Every model of the range side by side: speed, spend and trend. */
export default async function ModelsPage({ params, searchParams }: { params: Promise<{ project: string }>; searchParams: Promise<SearchParams> }) {
  const { project } = await params;
  await requireProjectAccess(project);
  const { sort, dir } = await loadModelsParams(searchParams);
  return <ModelsClient projectSlug={project} initialSort={{ sort, dir }} />;
}
