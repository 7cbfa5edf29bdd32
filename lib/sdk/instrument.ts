import type { EventStatus } from "../events/event-enums";
import { mergeUsage, ZERO_USAGE, type CallUsage } from "../gateway/usage";
import { applyClientPolicies, type CallPolicy, type PolicyRuntime } from "./client-policies";
import { currentContext, type TraceContext } from "./context";
import { randomId, sha256Prefix, type SdkEvent } from "./event";

/** What the recorder needs from the Pitwall client; `policies` only when client-side policies are on. */
export type CallSink = { agent: string | null; policies: PolicyRuntime | null; record(build: () => Promise<SdkEvent>): void };

/** What `instrument(client, options)` was told about every call of this client. */
export type CallLabels = { route: string | null; tags: Readonly<Record<string, string>> | null };

type AnyFn = (...args: unknown[]) => unknown;
type Params = Record<string, unknown>;

/**
 * Observes one Messages call. The caller gets the very objects the SDK returns: the same
 * APIPromise, the same Stream (its iterator is observed in place), the same events and errors.
 */
class CallRecorder {
  private readonly startedAt = performance.now();
  private readonly startedWall = Date.now();
  private readonly promptJson: string;
  private readonly systemJson: string | null;
  private readonly messageCount: number;
  private readonly toolCount: number;
  private ttftMs: number | null = null;
  private model: string | null = null;
  private usage: CallUsage = { ...ZERO_USAGE };
  private done = false;

  constructor(
    private readonly sink: CallSink,
    private readonly labels: CallLabels,
    private readonly params: Params,
    private readonly streamed: boolean,
    private readonly context: TraceContext | undefined,
    private readonly policy: CallPolicy | null,
  ) {
    // Serialized now: agents append to `messages` right after the call returns.
    const messages = Array.isArray(params.messages) ? params.messages : [];
    const tools = Array.isArray(params.tools) ? params.tools : [];
    this.promptJson = JSON.stringify([params.system ?? null, messages, tools]);
    this.systemJson = params.system === undefined ? null : JSON.stringify(params.system);
    this.messageCount = messages.length;
    this.toolCount = tools.length;
  }

  message(msg: unknown): void {
    const m = msg as { model?: unknown; usage?: unknown } | null;
    if (typeof m?.model === "string") this.model = m.model;
    mergeUsage(this.usage, m?.usage);
    this.finish("ok", null, null);
  }

  streamEvent(event: unknown): void {
    const e = event as { type?: string; message?: { model?: unknown; usage?: unknown }; usage?: unknown };
    if (e?.type === "message_start") {
      if (typeof e.message?.model === "string") this.model = e.message.model;
      mergeUsage(this.usage, e.message?.usage);
    } else if (e?.type === "content_block_delta") {
      this.ttftMs ??= performance.now() - this.startedAt;
    } else if (e?.type === "message_delta") {
      mergeUsage(this.usage, e.usage);
    }
  }

  failed(err: unknown): void {
    const e = err as { status?: unknown; name?: unknown; error?: { error?: { type?: unknown } } } | null;
    const name = typeof e?.name === "string" ? e.name : "Error";
    const aborted = name === "APIUserAbortError" || name === "AbortError";
    const apiType = e?.error?.error?.type;
    this.finish(aborted ? "aborted" : "error", typeof apiType === "string" ? apiType : name, typeof e?.status === "number" ? e.status : null);
  }

  finish(status: EventStatus, errorType: string | null, httpStatus: number | null): void {
    if (this.done) return;
    this.done = true;
    const latencyMs = performance.now() - this.startedAt;
    const requested = typeof this.params.model === "string" ? this.params.model : null;
    const ctx = this.context;
    const metadata: Record<string, unknown> = ctx ? { traceName: ctx.traceName.slice(0, 256), source: "sdk" } : { source: "sdk" };
    let usage = this.usage;
    // What the gateway records for the same call under the same policies (see call-event.ts).
    const policy = this.policy;
    let policyFields: Pick<SdkEvent, "policyVersion" | "responseCache"> = {};
    if (policy) {
      policyFields = { policyVersion: policy.plan.policyVersion || null, responseCache: policy.state.responseCache };
      if (policy.plan.ruleId) metadata.ruleId = policy.plan.ruleId;
      if (policy.cacheVersion) metadata.cachePolicyVersion = policy.cacheVersion;
      if (policy.promptCachingAdded.length > 0) metadata.promptCachingAdded = policy.promptCachingAdded;
      if (policy.maxTokensCapped) metadata.maxTokensCapped = true;
      if (policy.state.fallbackModel) metadata.fallbackModel = policy.state.fallbackModel;
      if (policy.state.responseCache === "hit") {
        // A hit cost nothing: its tokens are what it saved, as on the gateway.
        metadata.savedUsage = usage;
        usage = { ...ZERO_USAGE };
      }
    }
    const tags = this.labels.tags;
    this.sink.record(async () => ({
      id: randomId(),
      timestamp: new Date(this.startedWall).toISOString(),
      kind: "llm",
      agent: this.sink.agent,
      route: this.labels.route,
      sessionId: ctx?.sessionId ?? null,
      traceId: ctx?.traceId ?? null,
      parentId: ctx?.parentId ?? null,
      provider: "anthropic",
      model: this.model ?? requested ?? "unknown",
      requestedModel: requested,
      status,
      errorType,
      httpStatus: httpStatus ?? (status === "ok" ? 200 : null),
      latencyMs,
      ttftMs: this.ttftMs,
      streamed: this.streamed,
      ...usage,
      promptHash: await sha256Prefix(this.promptJson),
      systemHash: this.systemJson === null ? null : await sha256Prefix(this.systemJson),
      messageCount: this.messageCount,
      toolCount: this.toolCount,
      ...policyFields,
      ...(tags ? { tags: { ...tags } } : {}),
      metadata,
    }));
  }
}

/** Wraps the stream's own iterator in place: every event passes through untouched. */
function observeStream(stream: { [Symbol.asyncIterator]: () => AsyncIterator<unknown> }, rec: CallRecorder): void {
  const original = stream[Symbol.asyncIterator];
  Object.defineProperty(stream, Symbol.asyncIterator, {
    configurable: true,
    writable: true,
    value: function observed(this: unknown) {
      const inner = original.call(this);
      const it: AsyncIterator<unknown> & { [Symbol.asyncIterator](): AsyncIterator<unknown> } = {
        async next(...args: [] | [unknown]) {
          let r: IteratorResult<unknown>;
          try {
            r = await inner.next(...args);
          } catch (err) {
            rec.failed(err);
            throw err;
          }
          if (r.done) rec.finish("ok", null, null);
          else rec.streamEvent(r.value);
          return r;
        },
        async return(value?: unknown) {
          rec.finish("aborted", "client_closed", null);
          return inner.return ? inner.return(value) : { done: true, value };
        },
        async throw(err?: unknown) {
          rec.failed(err);
          if (inner.throw) return inner.throw(err);
          throw err;
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      return it;
    },
  });
}

type ApiPromiseLike = Promise<unknown> & { parse?: () => Promise<unknown>; responsePromise?: Promise<unknown> };

function observeCreate(sink: CallSink, labels: CallLabels, original: AnyFn, self: unknown, args: unknown[], context: TraceContext | undefined): unknown {
  const params = (args[0] ?? {}) as Params;
  const streamed = params.stream === true;
  // Client-side policies rewrite what is sent; the event keeps what the caller asked for.
  const policy = sink.policies ? applyClientPolicies(sink.policies, args, { route: labels.route, agent: sink.agent, tags: labels.tags ?? {}, sessionId: context?.sessionId ?? null }) : null;
  const sent = policy ? policy.args : args;
  let rec: CallRecorder;
  try {
    rec = new CallRecorder(sink, labels, params, streamed, context, policy);
  } catch {
    return original.apply(self, sent); // unserializable params: the SDK will say why
  }
  let result: unknown;
  try {
    result = original.apply(self, sent);
  } catch (err) {
    rec.failed(err);
    throw err;
  }
  const promise = result as ApiPromiseLike;
  if (!promise || typeof promise.then !== "function") return result;
  const onValue = (value: unknown) => {
    if (streamed && value && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function") {
      observeStream(value as { [Symbol.asyncIterator]: () => AsyncIterator<unknown> }, rec);
    } else {
      rec.message(value);
    }
  };
  // An APIPromise parses lazily: hook the parse the caller triggers (then, withResponse) and run
  // first on it, so a Stream is observed before the caller sees it and nothing is parsed twice.
  const parse = promise.parse;
  if (typeof parse === "function") {
    let hooked = false;
    Object.defineProperty(promise, "parse", {
      configurable: true,
      writable: true,
      value: function hookedParse(this: unknown) {
        const parsed = parse.call(this);
        if (!hooked) {
          hooked = true;
          parsed.then(onValue, (err: unknown) => rec.failed(err));
        }
        return parsed;
      },
    });
    // Failures surface here too when the caller only reads the raw response.
    promise.responsePromise?.then(undefined, (err: unknown) => rec.failed(err));
  } else {
    promise.then(onValue, (err: unknown) => rec.failed(err));
  }
  return result;
}

type MessagesLike = { create: AnyFn; stream?: AnyFn };
type ClientLike = { messages: MessagesLike };

/**
 * A view of the Anthropic client whose `messages.create` (streaming or not) and `messages.stream`
 * are recorded. Everything else is the client itself; the original client is not modified.
 */
export function instrumentClient<C extends ClientLike>(client: C, sink: CallSink, labels: CallLabels): C {
  const messages = client.messages;
  const create = (...args: unknown[]) => observeCreate(sink, labels, messages.create, messages, args, currentContext());
  // messages.stream() builds on `this.create(…, stream: true)`: handing it a view whose create is
  // recorded records the stream once, with its own events (and the trace it was started in).
  const stream = (...args: unknown[]) => {
    const context = currentContext();
    const recordedCreate = (...a: unknown[]) => observeCreate(sink, labels, messages.create, messages, a, context);
    const streamSelf = Object.create(messages, { create: { value: recordedCreate } }) as MessagesLike;
    return messages.stream!.apply(streamSelf, args);
  };
  const messagesView = new Proxy(messages, {
    get(target, prop) {
      if (prop === "create") return create;
      if (prop === "stream" && typeof target.stream === "function") return stream;
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return new Proxy(client, {
    get(target, prop) {
      if (prop === "messages") return messagesView;
      // Bound to the client itself: its methods read private fields a proxy does not have.
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
