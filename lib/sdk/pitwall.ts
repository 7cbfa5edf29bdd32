import { currentContext, runInContext, type TraceContext } from "./context";
import { randomId, type SdkEvent, type TrackEvent } from "./event";
import { instrumentClient } from "./instrument";
import { Transport, type TransportOptions, type TransportStats } from "./transport";

export type PitwallOptions = Omit<TransportOptions, "apiKey" | "baseUrl"> & {
  baseUrl: string;
  apiKey: string;
  /** Recorded as every event's `agent`. */
  agent?: string;
  /** Flush on process exit (Node's beforeExit). Default true. */
  flushOnExit?: boolean;
};

/** The explicit form of a trace, for runtimes without AsyncLocalStorage (and handy everywhere). */
export type TraceHandle = TraceContext & {
  /** Runs `fn` in this trace: calls started synchronously inside it belong to the trace. */
  run<R>(fn: () => R): R;
  tool<R>(name: string, fn: (ctx: TraceHandle) => R): R;
};

export type Pitwall = {
  instrument<C extends { messages: { create: (...args: never[]) => unknown } }>(client: C, options?: { route?: string }): C;
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
};

type ProcessLike = { once?: (e: string, l: () => void) => void; removeListener?: (e: string, l: () => void) => void };

export function createPitwall(options: PitwallOptions): Pitwall {
  const transport = new Transport(options);
  const agent = options.agent ?? null;
  // Events whose last fields (hashes) are still being computed; flush waits for them.
  const building = new Set<Promise<void>>();

  const sink = {
    agent,
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
    instrument: (client, opts = {}) => instrumentClient(client as never, sink, opts.route ?? null) as typeof client,
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
      const deadline = Date.now() + timeoutMs;
      await Promise.race([Promise.all(building), new Promise((r) => setTimeout(r, timeoutMs))]);
      await transport.shutdown(Math.max(0, deadline - Date.now()));
    },
    get stats() {
      return { ...transport.stats, building: building.size };
    },
  };
}

function errorName(err: unknown): string {
  const name = (err as { name?: unknown } | null)?.name;
  return typeof name === "string" && name ? name.slice(0, 128) : "Error";
}
