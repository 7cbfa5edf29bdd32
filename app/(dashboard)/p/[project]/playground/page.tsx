import { Suspense } from "react";
import { requireProjectAccess } from "@/components/shell/project-access";
import { getDb } from "@/db/client";
import { gatewayUpstreamKind } from "@/lib/gateway/upstream-kind";
import { listPrices } from "@/lib/pricing/price-queries";
import { PlaygroundClient } from "./client";

export const dynamic = "force-dynamic";

/** Race 2-4 configurations on one prompt through the gateway, then run them N times for a verdict. */
export default async function PlaygroundPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const { membership } = await requireProjectAccess(project);
  const rows = await listPrices(getDb(), membership.projectId);
  const prices = rows.map((r) => ({
    model: r.model,
    effectiveFrom: r.effectiveFrom.toISOString(),
    minPromptTokens: r.minPromptTokens,
    inputNano: r.inputNano,
    cacheWrite5mNano: r.cacheWrite5mNano,
    cacheWrite1hNano: r.cacheWrite1hNano,
    cacheReadNano: r.cacheReadNano,
    outputNano: r.outputNano,
  }));
  const models = [...new Set(rows.map((r) => r.model))].sort();
  return (
    <Suspense>
      <PlaygroundClient projectSlug={project} models={models} prices={prices} upstream={gatewayUpstreamKind()} />
    </Suspense>
  );
}
