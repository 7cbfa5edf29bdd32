import { applyRoutePlan } from "../policies/apply-route-plan";
import { estimateRequestTokens } from "../policies/estimate-tokens";
import { nextAttempt, parseRetryAfterMs, upstreamErrorCode, type AttemptFailure } from "../policies/next-attempt";
import { compileRoutingPolicy, planRoute, type RoutePlan } from "../policies/plan-route";
import { resolveCacheRule } from "../policies/resolve-cache-rule";
import type { PolicySync } from "./policy-sync";
import type { SdkResponseCache } from "./response-cache";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** The Anthropic SDK's per-request middleware (1.x): `(request, next) => Promise<Response>`. */
type ApiRequest = RequestInit & { url: string; headers: Headers };
type Middleware = (request: ApiRequest, next: (request: ApiRequest) => Promise<Response>) => Promise<Response>;

export type PolicyRuntime = { sync: PolicySync; cache: SdkResponseCache | null; onError?: (error: Error) => void };
export type CallHints = { route: string | null; agent: string | null; tags: Readonly<Record<string, string>>; sessionId: string | null };

/** What the policies did to one call, for its event. The middleware fills `state` as the call runs. */
export type CallPolicy = {
  args: unknown[];
  plan: RoutePlan;
  cacheVersion: number;
  cacheTtlSec: number;
  promptCachingAdded: string[];
  maxTokensCapped: boolean;
  state: { responseCache: "hit" | "miss" | "none"; fallbackModel: string | null };
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Applies the live policies to one messages.create call, as the gateway does: planRoute, then the
 * plan's model, max_tokens cap and prompt caching (applyRoutePlan), then the cache resolver on the
 * served model. Returns null (the call goes out untouched) before the first policies arrived, for
 * a request that is not a Messages request, or if anything here fails.
 */
export function applyClientPolicies(runtime: PolicyRuntime, args: unknown[], hints: CallHints): CallPolicy | null {
  const live = runtime.sync.current;
  const params = args[0];
  if (!live || !isObj(params) || typeof params.model !== "string" || !Array.isArray(params.messages)) return null;
  try {
    const needsTokens = compileRoutingPolicy(live.routing).needsInputTokens;
    const plan = planRoute(
      live.routing,
      {
        route: hints.route,
        agent: hints.agent,
        tags: hints.tags,
        requestedModel: params.model,
        estimatedInputTokens: needsTokens ? estimateRequestTokens(params) : 0,
        hasTools: Array.isArray(params.tools) && params.tools.length > 0,
        messageCount: params.messages.length,
        sessionId: hints.sessionId,
      },
      { policyVersion: live.routingVersion },
    );
    const planned = applyRoutePlan(params, plan);
    const metadataUser = isObj(params.metadata) ? params.metadata.user_id : undefined;
    const userId = typeof metadataUser === "string" && metadataUser !== "" ? metadataUser : null;
    const decision = resolveCacheRule(live.cache, { route: hints.route, model: plan.model, tags: hints.tags, userId });
    const call: CallPolicy = {
      args,
      plan,
      cacheVersion: live.cacheVersion,
      cacheTtlSec: decision.ttlSec,
      promptCachingAdded: planned.promptCachingAdded,
      maxTokensCapped: planned.maxTokensCapped,
      state: { responseCache: "none", fallbackModel: null },
    };
    const middleware: Middleware[] = [];
    if (runtime.cache && decision.ttlSec > 0) middleware.push(cacheMiddleware(runtime.cache, call, planned.body, userId, params.stream === true));
    if (plan.fallbacks.length > 0) middleware.push(fallbackMiddleware(plan, call));
    if (!planned.changed && middleware.length === 0) return call;
    const options = args[1];
    const rest = args.slice(2);
    if (middleware.length === 0) {
      call.args = args.length > 1 ? [planned.body, options, ...rest] : [planned.body];
    } else {
      const own = isObj(options) && Array.isArray(options.middleware) ? (options.middleware as Middleware[]) : [];
      call.args = [planned.body, { ...(isObj(options) ? options : {}), middleware: [...own, ...middleware] }, ...rest];
    }
    return call;
  } catch (err) {
    runtime.onError?.(new Error(`Pitwall policies were not applied to a call: ${(err as Error).message}`));
    return null;
  }
}

/**
 * Answers an exact repeat from the in-process cache without calling the upstream (the client
 * parses the stored answer as it parsed the original), and stores a complete answer served by the
 * planned model. A cache that fails is a miss, never a failed call.
 */
function cacheMiddleware(cache: SdkResponseCache, call: CallPolicy, body: Obj, userId: string | null, streamed: boolean): Middleware {
  return async (request, next) => {
    let key: string | null = null;
    try {
      key = await cache.key(body, { userId, streamed });
      const hit = cache.get(key);
      if (hit) {
        call.state.responseCache = "hit";
        return new Response(hit.body, { status: 200, headers: { "content-type": hit.contentType, "x-pitwall-cache": "HIT" } });
      }
    } catch {
      key = null;
    }
    call.state.responseCache = "miss";
    const res = await next(request);
    if (key !== null && res.status === 200) {
      const k = key;
      const contentType = res.headers.get("content-type") ?? "application/json";
      // Read from a copy off the caller's path; the caller's stream is not slowed or consumed.
      res
        .clone()
        .text()
        .then((text) => call.state.fallbackModel === null && cache.store(k, { body: text, contentType }, call.cacheTtlSec))
        .catch(() => undefined);
    }
    return res;
  };
}

/**
 * The plan's fallback chain, walked as the gateway walks it (nextAttempt): on 429 (not a spend
 * limit), 529, 5xx or a network failure, the next model within the retry budget, waiting out
 * retry-after when the same model is tried again. Only before an answer reached the client.
 */
function fallbackMiddleware(plan: RoutePlan, call: CallPolicy): Middleware {
  const chain = [plan.model, ...plan.fallbacks];
  return async (request, next) => {
    const started = performance.now();
    let index = 0;
    let req = request;
    for (;;) {
      let res: Response | null = null;
      let error: unknown = null;
      let failure: AttemptFailure;
      try {
        res = await next(req);
        if (res.status < 400) return res;
        const errorCode = res.status === 429 ? upstreamErrorCode(await res.clone().json().catch(() => null)) : undefined;
        failure = { status: res.status, errorCode, retryAfterMs: parseRetryAfterMs({ retryAfterMs: res.headers.get("retry-after-ms"), retryAfter: res.headers.get("retry-after") }) };
      } catch (err) {
        if (req.signal?.aborted) throw err;
        error = err;
        failure = {};
      }
      const step = typeof req.body === "string" ? nextAttempt(chain, index, failure, { elapsedMs: performance.now() - started, budgetMs: plan.retryBudgetMs }) : null;
      if (!step) {
        if (res) return res;
        throw error;
      }
      void res?.body?.cancel().catch(() => undefined);
      if (step.delayMs > 0) await sleep(step.delayMs);
      const parsed = JSON.parse(req.body as string) as Obj;
      const headers = new Headers(req.headers);
      headers.delete("content-length");
      req = { ...req, headers, body: JSON.stringify({ ...parsed, model: step.model }) };
      index = step.index;
      call.state.fallbackModel = step.model === plan.model ? null : step.model;
    }
  };
}
