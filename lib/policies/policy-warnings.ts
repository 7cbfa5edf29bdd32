import type { PolicyKind } from "@/db/schema";
import type { CachePolicy } from "./cache-policy-schema";
import type { PolicyIssue } from "./policy-document";
import type { RoutingAction, RoutingPolicy } from "./routing-policy-schema";

/** Every model a routing document may send traffic to, with where it is named. */
export function modelsNamed(kind: PolicyKind, doc: RoutingPolicy | CachePolicy): { path: string; model: string }[] {
  if (kind !== "routing") return [];
  const routing = doc as RoutingPolicy;
  const out: { path: string; model: string }[] = [];
  const visit = (action: RoutingAction, at: string) => {
    if (action.model) out.push({ path: `${at}.model`, model: action.model });
    action.split?.arms.forEach((arm, i) => out.push({ path: `${at}.split.arms.${i}.model`, model: arm.model }));
    action.fallbacks?.forEach((m, i) => out.push({ path: `${at}.fallbacks.${i}`, model: m }));
  };
  routing.rules.forEach((r, i) => visit(r.action, `rules.${i}.action`));
  visit(routing.default, "default");
  return out;
}

/**
 * A model without a price row is allowed (a new model may be priced later) but its calls are
 * recorded as unpriced: the editor and the API warn, they do not block.
 */
export function unpricedModelWarnings(kind: PolicyKind, doc: RoutingPolicy | CachePolicy, isPriced: (model: string) => boolean): PolicyIssue[] {
  return modelsNamed(kind, doc)
    .filter((m) => !isPriced(m.model))
    .map((m) => ({ path: m.path, message: `"${m.model}" has no price row: its calls will be recorded as unpriced` }));
}
