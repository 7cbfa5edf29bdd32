import { currentContext, runInContext, type TraceContext } from "./context";
import { randomId, type SdkEvent, type TrackEvent } from "./event";
import type { PolicyRuntime } from "./client-policies";
import { instrumentClient } from "./instrument";
import { PolicySync, type PolicyStats } from "./policy-sync";
import { SdkResponseCache, type ResponseCacheOptions, type ResponseCacheStats } from "./response-cache";
import { Transport, type TransportOptions, type TransportStats } from "./transport";

/** Client-side policies: routing and the response cache applied in the agent's process. */
export type PolicyOptions = {
  /** How often to ask for a new version; an unchanged one costs a 304. Default 10 000 ms. */
  refreshMs?: number;
  /** One fetch's timeout. Default 5 000 ms. */
  timeoutMs?: number;
  /** The in-process response cache (TTL from the cache policy); false keeps only routing. */
  responseCache?: false | ResponseCacheOptions;
};

export type PitwallOptions = Omit<TransportOptions, "apiKey" | "baseUrl"> & {
  baseUrl: string;
  apiKey: string;
  /** Recorded as every event's `agent`. */
  agent?: string;
  /** Flush on process exit (Node's beforeExit). Default true. */
  flushOnExit?: boolean;
  /**
   * Apply the project's routing and cache policies (GET /api/v1/policies) in process, for agents
   * that cannot use the gateway. Off by default: without it no call is changed.
   */
  policies?: boolean | PolicyOptions;
};

/** What `pitwall.policies` shows when client-side policies are on. */
export type PolicyHandle = {
  /** Resolves once the first fetch ended (taken or failed); calls made before it go out unrouted. */
  ready(): Promise<void>;
  /** Fetch now rather than at the next interval. */
  refresh(): Promise<void>;
  /** The versions in force (0 = nothing saved), or null before any arrived. */
  readonly versions: { routing: number; cache: number } | null;
  readonly stats: Readonly<PolicyStats> & { responseCache: Readonly<ResponseCacheStats> | null };
};

/** The explicit form of a trace, for runtimes without AsyncLocalStorage (and handy everywhere). */
export type TraceHandle = TraceContext & {
  /** Runs `fn` in this trace: calls started synchronously inside it belong to the trace. */
  run<R>(fn: () => R): R;
  tool<R>(name: string, fn: (ctx: TraceHandle) => R): R;
};

export type Pitwall = {
  /** `route` and `tags` label every call; with policies on, rules match on them as on x-pitwall-route / -tags. */
  instrument<C extends { messages: { create: (...args: never[]) => unknown } }>(client: C, options?: { route?: string; tags?: Record<string, string> }): C;
  track(event: TrackEvent): string;
  trace<R>(name: string, fn: (ctx: TraceHandle) => R, options?: { sessionId?: string }): R;
  tool<R>(name: string, fn: (ctx: TraceHandle) => R, ctx?: TraceContext): R;
  /**
   * Headers that file a call made through the Pitwall gateway under the current trace (and tool
   * span): pass them as the SDK call's `headers`. Empty outside a trace.
   */
  traceHeaders(ctx?: TraceContext): Record<string, string>;
  flush(): Promise<void>;
  shutdown(timeoutMs?: number): Promise<void>;
  readonly stats: Readonly<TransportStats> & { building: number };
  /** Null unless `policies` was set. */
  readonly policies: PolicyHandle | null;
};

type ProcessLike = { once?: (e: string, l: () => void) => void; removeListener?: (e: string, l: () => void) => void };

export function createPitwall(options: PitwallOptions): Pitwall {
  const transport = new Transport(options);
  const agent = options.agent ?? null;
  // Events whose last fields (hashes) are still being computed; flush waits for them.
  const building = new Set<Promise<void>>();

  const policyRuntime = startPolicies(options);
  const sink = {
    agent,
    policies: policyRuntime,
    record(build: () => Promise<SdkEvent>) {
      // Off the caller's path: hashing, batching and sending start after the caller has its answer.
      const p = new Promise<void>((resolve) => setTimeout(resolve, 0))
        .then(build)
        .then((event) => void transport.enqueue(event))
        .catch((err: unknown) => options.onError?.(err instanceof Error ? err : new Error(String(err))))
        .finally(() => building.delete(p));
      building.add(p);
    },
  };

  const handleOf = (ctx: TraceContext): TraceHandle => ({
    ...ctx,
    run: (fn) => runInContext(ctx, fn),
    tool: (name, fn) => tool(name, fn, ctx),
  });

  function tool<R>(name: string, fn: (ctx: TraceHandle) => R, explicit?: TraceContext): R {
    const outer = explicit ?? currentContext();
    const id = randomId();
    const ctx: TraceContext = {
      traceId: outer?.traceId ?? randomId(),
      parentId: id,
      traceName: outer?.traceName ?? name,
      sessionId: outer?.sessionId ?? null,
    };
    const startedWall = Date.now();
    const startedAt = performance.now();
    const finish = (status: "ok" | "error", errorType: string | null) => {
      transport.enqueue({
        id,
        timestamp: new Date(startedWall).toISOString(),
        kind: "tool",
        agent,
        sessionId: ctx.sessionId,
        traceId: ctx.traceId,
        parentId: outer?.parentId ?? null,
        status,
        errorType,
        latencyMs: performance.now() - startedAt,
        metadata: { name: name.slice(0, 256), traceName: ctx.traceName.slice(0, 256), source: "sdk" },
      });
    };
    let result: R;
    try {
      result = runInContext(ctx, () => fn(handleOf(ctx)));
    } catch (err) {
      finish("error", errorName(err));
      throw err;
    }
    if (result && typeof (result as { then?: unknown }).then === "function") {
      (result as unknown as Promise<unknown>).then(
        () => finish("ok", null),
        (err: unknown) => finish("error", errorName(err)),
      );
    } else {
      finish("ok", null);
    }
    return result;
  }

  const flush = async () => {
    while (building.size > 0) await Promise.all(building);
    await transport.flush();
  };

  const proc = (globalThis as { process?: ProcessLike }).process;
  const onExit = () => {
    if (building.size > 0 || transport.pending > 0) void flush();
  };
  if (options.flushOnExit !== false) proc?.once?.("beforeExit", onExit);

  return {
    instrument: (client, opts = {}) => instrumentClient(client as never, sink, { route: opts.route ?? null, tags: opts.tags ?? null }) as typeof client,
    track(event) {
      const id = event.id ?? randomId();
      const ctx = currentContext();
      transport.enqueue({
        agent,
        traceId: ctx?.traceId,
        parentId: ctx?.parentId,
        sessionId: ctx?.sessionId,
        ...event,
        id,
        timestamp: event.timestamp ?? new Date().toISOString(),
      });
      return id;
    },
    trace(name, fn, opts = {}) {
      const ctx: TraceContext = { traceId: randomId(), parentId: null, traceName: name, sessionId: opts.sessionId ?? currentContext()?.sessionId ?? null };
      return runInContext(ctx, () => fn(handleOf(ctx)));
    },
    tool,
    traceHeaders(explicitCtx) {
      const ctx = explicitCtx ?? currentContext();
      if (!ctx) return {};
      const headers: Record<string, string> = { "x-pitwall-trace-id": ctx.traceId };
      if (ctx.parentId) headers["x-pitwall-parent-id"] = ctx.parentId;
      return headers;
    },
    flush,
    async shutdown(timeoutMs = 10_000) {
      proc?.removeListener?.("beforeExit", onExit);
      policyRuntime?.sync.stop();
      const deadline = Date.now() + timeoutMs;
      await Promise.race([Promise.all(building), new Promise((r) => setTimeout(r, timeoutMs))]);
      await transport.shutdown(Math.max(0, deadline - Date.now()));
    },
    get stats() {
      return { ...transport.stats, building: building.size };
    },
    policies: policyRuntime ? policyHandle(policyRuntime) : null,
  };
}

function startPolicies(options: PitwallOptions): PolicyRuntime | null {
  if (!options.policies) return null;
  const o: PolicyOptions = options.policies === true ? {} : options.policies;
  const sync = new PolicySync({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    apiKey: options.apiKey,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    refreshMs: o.refreshMs ?? 10_000,
    timeoutMs: o.timeoutMs ?? 5_000,
    onError: options.onError,
  });
  sync.start();
  return { sync, cache: o.responseCache === false ? null : new SdkResponseCache(o.responseCache ?? {}), onError: options.onError };
}

function policyHandle(runtime: PolicyRuntime): PolicyHandle {
  return {
    ready: () => runtime.sync.ready(),
    refresh: () => runtime.sync.refresh(),
    get versions() {
      const live = runtime.sync.current;
      return live ? { routing: live.routingVersion, cache: live.cacheVersion } : null;
    },
    get stats() {
      return { ...runtime.sync.stats, responseCache: runtime.cache ? { ...runtime.cache.stats } : null };
    },
  };
}

function errorName(err: unknown): string {
  const name = (err as { name?: unknown } | null)?.name;
  return typeof name === "string" && name ? name.slice(0, 128) : "Error";
}
