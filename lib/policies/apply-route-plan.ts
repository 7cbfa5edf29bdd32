import { applyPromptCaching } from "./apply-prompt-caching";
import type { RoutePlan } from "./plan-route";

type Json = Record<string, unknown>;

export type PlannedBody = {
  /** The request to send: a new object when something changed, else the input itself. */
  body: Json;
  changed: boolean;
  maxTokensCapped: boolean;
  promptCachingAdded: string[];
};

/**
 * What a route plan does to a Messages request: the served model, the max_tokens cap and the
 * prompt-caching breakpoints, in that order, as the gateway's routeRequest applies them. Pure, so
 * pitwall/sdk rewrites a request in the agent's process exactly as the gateway would.
 */
export function applyRoutePlan(request: Json, plan: RoutePlan): PlannedBody {
  let body = request;
  let changed = false;
  if (plan.model !== request.model) {
    body = { ...body, model: plan.model };
    changed = true;
  }
  let maxTokensCapped = false;
  if (plan.maxTokensCap !== undefined && typeof body.max_tokens === "number" && body.max_tokens > plan.maxTokensCap) {
    body = { ...body, max_tokens: plan.maxTokensCap };
    changed = true;
    maxTokensCapped = true;
  }
  let promptCachingAdded: string[] = [];
  if (plan.promptCaching) {
    const result = applyPromptCaching(body, plan.promptCaching);
    if (result.added.length > 0) {
      body = result.body;
      changed = true;
      promptCachingAdded = result.added;
    }
  }
  return { body, changed, maxTokensCapped, promptCachingAdded };
}
