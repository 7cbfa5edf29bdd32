import type { SearchParams } from "nuqs/server";
import { requireProjectAccess } from "@/components/shell/project-access";
import { CacheClient } from "./client";
import { loadCacheParams } from "./search-params";

export const dynamic = "force-dynamic";

/** What caching buys: the response cache by route and Anthropic prompt caching by model. */
export default async function CachePage({ params, searchParams }: { params: Promise<{ project: string }>; searchParams: Promise<SearchParams> }) {
  const { project } = await params;
  await requireProjectAccess(project);
  await loadCacheParams(searchParams);
  return <CacheClient projectSlug={project} />;
}
