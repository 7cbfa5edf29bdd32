/**
 * The trace a call belongs to. In Node it travels with the async call graph (AsyncLocalStorage);
 * elsewhere the caller passes it: `pitwall.trace(name, (ctx) => ctx.run(() => client.messages.create(…)))`.
 */
export type TraceContext = {
  readonly traceId: string;
  /** The event id of the enclosing tool call, when there is one. */
  readonly parentId: string | null;
  readonly traceName: string;
  readonly sessionId: string | null;
};

type Storage = { getStore(): TraceContext | undefined; run<R>(store: TraceContext, fn: () => R): R };

// No import of node:async_hooks: process.getBuiltinModule (Node 20.16+) finds it where it exists,
// and the SDK still loads in runtimes that have none.
function nodeStorage(): Storage | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.("node:async_hooks") as { AsyncLocalStorage?: new () => Storage } | undefined;
  return mod?.AsyncLocalStorage ? new mod.AsyncLocalStorage() : null;
}

const storage = nodeStorage();
/** Set only during the synchronous part of an explicit `ctx.run(fn)`. */
let explicit: TraceContext | undefined;

export const hasAsyncContext = storage !== null;

export function currentContext(): TraceContext | undefined {
  return explicit ?? storage?.getStore();
}

export function runInContext<R>(ctx: TraceContext, fn: () => R): R {
  const previous = explicit;
  explicit = storage ? undefined : ctx;
  try {
    return storage ? storage.run(ctx, fn) : fn();
  } finally {
    explicit = previous;
  }
}
