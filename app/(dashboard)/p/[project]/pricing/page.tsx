import type { SearchParams } from "nuqs/server";
import { requireProjectAccess } from "@/components/shell/project-access";
import { roleAtLeast } from "@/lib/projects/roles";
import { PricingClient } from "./client";
import { loadPricingParams } from "./search-params";

export const dynamic = "force-dynamic";

/** The project's price table, effective-dated; editors change it and recompute stored costs. */
export default async function PricingPage({ params, searchParams }: { params: Promise<{ project: string }>; searchParams: Promise<SearchParams> }) {
  const { project } = await params;
  const { membership } = await requireProjectAccess(project);
  await loadPricingParams(searchParams);
  return <PricingClient projectSlug={project} canEdit={roleAtLeast(membership.role, "editor")} />;
}
