import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { authenticate, type Caller } from "@/lib/auth/caller";
import { AppError } from "@/lib/errors";
import { policyView } from "@/lib/policies/http/policies-handlers";
import { listPrices } from "@/lib/pricing/price-queries";
import { PoliciesClient } from "./client";

export const dynamic = "force-dynamic";

/** Server half: resolves the caller's role and prefetches both policy kinds for the editor. */
export default async function PoliciesPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const db = getDb();
  let caller: Caller;
  try {
    caller = await authenticate(db, { headers: await headers() }, { role: "viewer", projectSlug: project });
  } catch (err) {
    if (err instanceof AppError && err.type === "unauthorized") redirect(`/sign-in?next=${encodeURIComponent(`/p/${project}/policies`)}`);
    if (err instanceof AppError && (err.type === "not_found" || err.type === "forbidden")) notFound();
    throw err;
  }
  const [routing, cache, prices] = await Promise.all([policyView(db, caller, "routing"), policyView(db, caller, "cache"), listPrices(db, caller.projectId)]);
  const role = caller.kind === "user" ? caller.role : "viewer";
  // The model pickers suggest priced models; any other id is allowed with a warning.
  const pricedModels = [...new Set(prices.map((p) => p.model))].sort();
  return <PoliciesClient projectSlug={project} role={role} initial={{ routing, cache }} pricedModels={pricedModels} />;
}
