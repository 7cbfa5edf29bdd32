import type { PriceBook, PriceRow } from "../../pricing/compute-cost";
import { applyPromptCaching } from "../../policies/apply-prompt-caching";
import type { CachePolicy } from "../../policies/cache-policy-schema";
import { requestFromEvent } from "../../policies/event-request";
import { minCacheableTokens } from "../../policies/min-cacheable-tokens";
import { planRoute, type RouteFacts, type RoutePlan } from "../../policies/plan-route";
import { callCacheTtl, resolveCacheRule } from "../../policies/resolve-cache-rule";
import type { PromptCacheTtl, RoutingPolicy } from "../../policies/routing-policy-schema";
import { seededRandom } from "../../seeded-random";
import { decode, NONE, RESPONSE_CACHE_CODE, skipsCacheRead, STATUS_CODE, type LlmCalls, type Traffic } from "../traffic";
import { keptMessages, proportionalWindow, SessionTurns } from "./context-window";
import { latencyOf, ttftOf, type TimingModel } from "./timing-fit";

export type ReplayPolicies = { routing: RoutingPolicy; cache: CachePolicy };

/** Changes to the client's code the plan's code phases stand for (the policy cannot make them). */
export type CodeChanges = {
  /** The client streams every call: what a user waits for becomes the TTFT. */
  stream?: boolean;
  /** The client keeps the session's first turn (the task) and its last N turns (user + assistant). */
  contextWindowTurns?: number;
};


/** One prediction per LLM call of traffic.llm (NaN where a call takes no part: failed calls). */
export type EventPredictions = {
  included: Uint8Array;
  model: (string | null)[];
  latencyMs: Float64Array;
  ttftMs: Float64Array;
  perceivedMs: Float64Array;
  /** NaN when no price row covers the served model at the event's time. */
  costNanoUsd: Float64Array;
  responseCacheHit: Uint8Array;
  cacheReadTokens: Float64Array;
  promptTokens: Float64Array;
};

export type SimulateInput = {
  traffic: Traffic;
  /** What the traffic ran under: tells policy-made prompt caching from the client's own. */
  live: ReplayPolicies;
  candidate: ReplayPolicies;
  code?: CodeChanges;
  prices: PriceBook;
  timing: TimingModel;
  /** Non-sticky split arms are drawn from this seed so a replay is reproducible. */
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
};

/** A response-cache hit when the traffic has none of its own to measure: a lookup and a replay. */
export const FALLBACK_HIT_LATENCY_MS = 5;
const TTL_MS: Record<PromptCacheTtl, number> = { "5m": 300_000, "1h": 3_600_000 };
const YIELD_EVERY = 50_000;

type Usage = { input: number; read: number; w5: number; w1: number; output: number };

/**
 * Replays the traffic in time order under `candidate`, with the gateway's own functions:
 * planRoute picks the model (split arms drawn from a seeded stream), resolveCacheRule the response
 * cache TTL, applyPromptCaching whether breakpoints are added. Response-cache entries live from
 * their write (the writer's completion) for the TTL; prompt-cache entries per (model, system
 * prompt) expire on their TTL, refreshed on each read, and need the model's minimum length.
 *
 * Timing: a call served by its recorded model keeps its recorded time plus the fitted difference
 * (fewer uncached tokens, a lower max_tokens); a call moved to another model scales its recorded
 * time by the ratio of the two models' fitted times, keeping its own noise; a call with no
 * recorded model time (a recorded cache hit) gets the fitted time.
 */
export async function simulate(input: SimulateInput): Promise<EventPredictions> {
  const { traffic, live, candidate, prices, timing, code = {} } = input;
  input.signal?.throwIfAborted();
  const t = traffic.llm;
  const n = t.length;
  const out: EventPredictions = {
    included: new Uint8Array(n),
    model: new Array<string | null>(n).fill(null),
    latencyMs: new Float64Array(n).fill(NaN),
    ttftMs: new Float64Array(n).fill(NaN),
    perceivedMs: new Float64Array(n).fill(NaN),
    costNanoUsd: new Float64Array(n).fill(NaN),
    responseCacheHit: new Uint8Array(n),
    cacheReadTokens: new Float64Array(n),
    promptTokens: new Float64Array(n),
  };
  const random = seededRandom(input.seed ?? 1);
  const hitLatency = recordedHitLatency(t);
  // decode() by hand on the dictionaries' arrays, read once: a getter call per lookup was a tenth of a pass.
  const dicts = { routes: traffic.routes.values, agents: traffic.agents.values, models: traffic.models.values, users: traffic.users.values, sessions: traffic.sessions.values };
  const str = (dict: keyof typeof dicts, code: number) => (code === NONE ? null : (dicts[dict][code] ?? null));
  // Per-hash state in arrays indexed by hash code (a Map of 300K entries was most of a 1M-call
  // pass in the profile): response-cache entries per served model, user-scoped ones by string key.
  const hashSpace = hashCodeSpace(t);
  const responseCache = new ResponseCacheState(hashSpace);
  const promptCache = new Map<number, number>();
  // The tokens a recorded response-cache hit would have cost: its writer's row, by prompt hash (-1: none seen).
  const lastCall = new Int32Array(hashSpace).fill(-1);
  const addsBreakpoints = memoAddsBreakpoints();
  const minTokens = memoByModel((m) => minCacheableTokens(m, candidate.routing.promptCachingMinTokens));
  const modelIndex = new Map<string, number>();
  const window = code.contextWindowTurns;
  const sessionTurns = window !== undefined ? new SessionTurns() : null;
  const modelNo = (m: string) => {
    let k = modelIndex.get(m);
    if (k === undefined) modelIndex.set(m, (k = modelIndex.size));
    return k;
  };
  const priceOf = memoPrices(prices);

  for (let i = 0; i < n; i++) {
    if (i > 0 && i % YIELD_EVERY === 0) {
      input.onProgress?.(i / n);
      await new Promise<void>((r) => setTimeout(r, 0));
      input.signal?.throwIfAborted();
    }
    if (t.status[i] !== OK) continue;
    const recordedHit = t.responseCache[i] === HIT;
    const ph = t.promptHash[i]!;
    const writer = recordedHit && ph >= 0 ? lastCall[ph]! : i;
    const source = writer >= 0 ? writer : undefined;
    if (!recordedHit && ph >= 0) lastCall[ph] = i;
    // A recorded hit whose writer is before the window: its tokens are unknown, so it is replayed as recorded.
    if (source === undefined) {
      keepRecorded(traffic, i, out);
      continue;
    }
    out.included[i] = 1;
    const recModel = str("models", t.model[i]!) ?? str("models", t.requestedModel[i]!) ?? "";
    const recorded: Usage = usageAt(t, source);
    const system = Math.max(0, t.systemTokens[source]!);
    const messages = t.messageCount[source] === NONE ? 1 : t.messageCount[source]!;
    const tools = Math.max(0, t.toolCount[source]!);
    const prompt = recorded.input + recorded.read + recorded.w5 + recorded.w1;
    let promptNew = prompt;
    let messagesNew = messages;
    if (sessionTurns !== null && window !== undefined) {
      const session = t.session[i]!;
      sessionTurns.record(session, messages, prompt, recorded.output);
      const kept = keptMessages(window);
      if (messages > kept) {
        promptNew = (session >= 0 ? sessionTurns.windowed(session, messages, window, prompt) : null) ?? proportionalWindow(prompt, system, messages, kept);
        messagesNew = kept;
      }
    }
    const facts: RouteFacts = {
      route: str("routes", t.route[i]!),
      agent: str("agents", t.agent[i]!),
      tags: traffic.tags[t.tagSet[i]!] ?? {},
      requestedModel: str("models", t.requestedModel[i]!) ?? recModel,
      estimatedInputTokens: promptNew,
      hasTools: tools > 0,
      messageCount: messagesNew,
      sessionId: str("sessions", t.session[i]!),
    };
    const plan = planRoute(candidate.routing, facts, { policyVersion: 0, random });
    const model = plan.model;
    out.model[i] = model;
    const output = Math.min(recorded.output, plan.maxTokensCap ?? Number.MAX_SAFE_INTEGER);
    const streamed = code.stream === true || t.streamed[i] === 1;

    // Response cache: routing first, then the cache rule of the served model, as in the gateway.
    const userId = str("users", t.user[i]!);
    // The caller's x-pitwall-cache-ttl (recorded) is resolved against each policy as the gateway does.
    const asked = t.requestedCacheTtlSec[i]! === NONE ? null : t.requestedCacheTtlSec[i]!;
    const rule = resolveCacheRule(candidate.cache, { route: facts.route, model, tags: facts.tags, userId });
    const ttlSec = callCacheTtl(candidate.cache, rule, asked, userId);
    const ts = t.tsMs[i]!;
    let slot: number | null = null;
    if (ttlSec > 0 && ph >= 0) {
      slot = rule.scope === "user" ? responseCache.userSlot(`${model}\u0000${userId}\u0000${ph}`) : responseCache.slot(modelNo(model), ph);
      const seen = responseCache.has(slot);
      // A caller that sent Cache-Control: no-cache is never answered from the cache, but its fresh answer is still stored (below);
      // no-store and a TTL of 0 asked already resolved to a TTL of 0 above.
      const reads = !skipsCacheRead(t, i);
      let hit = reads && seen && responseCache.availableAt(slot) <= ts && ts < responseCache.expiresAt(slot);
      // Recorded as a hit with no entry seen: written before the window; a TTL at least the live one keeps it.
      if (!hit && !seen && recordedHit && model === recModel) {
        const liveRule = resolveCacheRule(live.cache, { route: facts.route, model, tags: facts.tags, userId });
        hit = ttlSec >= callCacheTtl(live.cache, liveRule, asked, userId);
      }
      if (hit) {
        out.responseCacheHit[i] = 1;
        out.latencyMs[i] = recordedHit ? t.latencyMs[i]! : hitLatency;
        out.ttftMs[i] = streamed ? out.latencyMs[i]! : NaN;
        out.perceivedMs[i] = out.latencyMs[i]!;
        out.costNanoUsd[i] = 0;
        continue;
      }
    }

    // Prompt cache: by policy (the gateway adds breakpoints) or by the client's own cache_control.
    const recordedCached = recorded.read + recorded.w5 + recorded.w1;
    let mode: PromptCacheTtl | null = null;
    if (plan.promptCaching && system > 0 && addsBreakpoints({ systemTokens: system, toolCount: tools }, plan.promptCaching)) mode = plan.promptCaching.ttl;
    else if (recordedCached > 0 && !policyCached(live.routing, facts, recModel, system, tools, addsBreakpoints)) mode = recorded.w1 > 0 ? "1h" : "5m";
    const usage: Usage = { input: promptNew, read: 0, w5: 0, w1: 0, output };
    const prefix = Math.min(promptNew, recordedCached > 0 ? recordedCached : system);
    const sh = t.systemHash[source]!;
    if (mode !== null && sh >= 0 && prefix > 0 && prefix >= minTokens(model)) {
      const pkey = modelNo(model) * HASH_SPACE + sh;
      const expires = promptCache.get(pkey);
      // Recorded as a read with no entry seen: the entry was warm before the window.
      const warm = (expires !== undefined && ts <= expires) || (expires === undefined && recorded.read > 0 && model === recModel);
      usage.input = promptNew - prefix;
      if (warm) usage.read = prefix;
      else if (mode === "1h") usage.w1 = prefix;
      else usage.w5 = prefix;
      // Anthropic refreshes the TTL on every read; a write starts it.
      promptCache.set(pkey, ts + TTL_MS[mode]);
    }

    const tNew = timing.of(model);
    const uncachedNew = usage.input + usage.w5 + usage.w1;
    const ttftNew = ttftOf(tNew, uncachedNew, usage.read);
    const latNew = latencyOf(tNew, uncachedNew, usage.read, output);
    let lat = latNew;
    let ttft = ttftNew;
    const recLat = t.latencyMs[i]!;
    if (!recordedHit && Number.isFinite(recLat)) {
      const tOld = timing.of(recModel);
      const uncachedOld = recorded.input + recorded.w5 + recorded.w1;
      const ttftOld = ttftOf(tOld, uncachedOld, recorded.read);
      const latOld = latencyOf(tOld, uncachedOld, recorded.read, recorded.output);
      const recTtft = t.ttftMs[i]!;
      if (model === recModel) {
        lat = Math.max(1, recLat + (latNew - latOld));
        ttft = Number.isFinite(recTtft) ? Math.max(1, recTtft + (ttftNew - ttftOld)) : Math.max(1, ttftNew * (recLat / latOld));
      } else {
        lat = recLat * (latNew / latOld);
        ttft = Number.isFinite(recTtft) ? recTtft * (ttftNew / ttftOld) : ttftNew * (recLat / latOld);
      }
      ttft = Math.min(ttft, lat);
    }
    out.latencyMs[i] = lat;
    out.ttftMs[i] = streamed ? ttft : NaN;
    out.perceivedMs[i] = streamed ? ttft : lat;
    out.cacheReadTokens[i] = usage.read;
    out.promptTokens[i] = promptNew;
    out.costNanoUsd[i] = priceOf(model, ts, usage);
    if (slot !== null) responseCache.write(slot, ts + lat, ts + lat + ttlSec * 1000);
  }
  input.onProgress?.(1);
  return out;
}

const OK = STATUS_CODE.ok;
const HIT = RESPONSE_CACHE_CODE.hit;

function usageAt(t: LlmCalls, i: number): Usage {
  return { input: t.inputTokens[i]!, read: t.cacheReadTokens[i]!, w5: t.cacheWrite5mTokens[i]!, w1: t.cacheWrite1hTokens[i]!, output: t.outputTokens[i]! };
}

function keepRecorded(traffic: Traffic, i: number, out: EventPredictions): void {
  const t = traffic.llm;
  out.included[i] = 1;
  out.model[i] = decode(traffic.models, t.model[i]!);
  out.latencyMs[i] = t.latencyMs[i]!;
  out.ttftMs[i] = t.ttftMs[i]!;
  out.perceivedMs[i] = t.streamed[i] ? t.ttftMs[i]! : t.latencyMs[i]!;
  out.costNanoUsd[i] = t.unpriced[i] ? NaN : t.costNano[i]!;
  out.responseCacheHit[i] = t.responseCache[i] === HIT ? 1 : 0;
}

/** Hash codes stay below this (dictionary sizes are far smaller), so model × space + code is unique. */
const HASH_SPACE = 2 ** 26;
const DAY_MS = 86_400_000;

/** One more than the largest prompt or system hash code in the calls: the size of a by-hash array. */
function hashCodeSpace(t: LlmCalls): number {
  let max = NONE;
  for (let i = 0; i < t.length; i++) {
    if (t.promptHash[i]! > max) max = t.promptHash[i]!;
    if (t.systemHash[i]! > max) max = t.systemHash[i]!;
  }
  return max + 1;
}

/**
 * Response-cache entries by slot: (served model, prompt hash) is slot model × hashSpace + hash,
 * in arrays grown per model; a user-scoped key (a string, rare) gets a negative slot in arrays of
 * its own. An entry is its writer's completion and its expiry.
 */
class ResponseCacheState {
  private readonly shared = entries(0);
  private readonly user = entries(0);
  private readonly userSlots = new Map<string, number>();
  constructor(private readonly hashSpace: number) {}

  slot(modelNo: number, hash: number): number {
    grow(this.shared, (modelNo + 1) * this.hashSpace);
    return modelNo * this.hashSpace + hash;
  }
  userSlot(key: string): number {
    let k = this.userSlots.get(key);
    if (k === undefined) {
      this.userSlots.set(key, (k = this.userSlots.size));
      grow(this.user, k + 1);
    }
    return -1 - k;
  }
  has(slot: number): boolean {
    return slot >= 0 ? this.shared.written[slot] === 1 : this.user.written[-1 - slot] === 1;
  }
  availableAt(slot: number): number {
    return slot >= 0 ? this.shared.available[slot]! : this.user.available[-1 - slot]!;
  }
  expiresAt(slot: number): number {
    return slot >= 0 ? this.shared.expires[slot]! : this.user.expires[-1 - slot]!;
  }
  write(slot: number, availableAt: number, expiresAt: number): void {
    const a = slot >= 0 ? this.shared : this.user;
    const k = slot >= 0 ? slot : -1 - slot;
    a.written[k] = 1;
    a.available[k] = availableAt;
    a.expires[k] = expiresAt;
  }
}

type Entries = { written: Uint8Array; available: Float64Array; expires: Float64Array };
const entries = (n: number): Entries => ({ written: new Uint8Array(n), available: new Float64Array(n), expires: new Float64Array(n) });

/** Grows the arrays to at least `size` entries (doubling), the new ones unwritten. */
function grow(a: Entries, size: number): void {
  if (size <= a.written.length) return;
  const b = entries(Math.max(size, a.written.length * 2));
  b.written.set(a.written);
  b.available.set(a.available);
  b.expires.set(a.expires);
  Object.assign(a, b);
}

function memoByModel<T>(fn: (model: string) => T): (model: string) => T {
  const memo = new Map<string, T>();
  return (m) => {
    let v = memo.get(m);
    if (v === undefined && !memo.has(m)) memo.set(m, (v = fn(m)));
    return v as T;
  };
}

/**
 * PriceBook.find, memoized per (model, day) when one row covers every prompt size that day (the
 * row for an empty prompt is the row for the longest): looking one up per call (model family
 * regex, a scan) was a tenth of a 1M-call replay. A model with long-context tiers is looked up per
 * call. Price rows take effect on whole days (the seed and the editor), so a day is exact. Cost
 * is exact in doubles: integer nano-USD per token times tokens stays far below 2^53.
 */
function memoPrices(prices: PriceBook): (model: string, at: number, u: Usage) => number {
  // By model, then by day number: no key string per call (that string's hashing was most of this).
  const memo = new Map<string, Map<number, PriceRow | null | false>>();
  return (model, at, u) => {
    const prompt = u.input + u.read + u.w5 + u.w1;
    const day = Math.floor(at / DAY_MS);
    let byDay = memo.get(model);
    if (byDay === undefined) memo.set(model, (byDay = new Map()));
    let row = byDay.get(day);
    if (row === undefined) {
      const d = new Date(at);
      const short = prices.find(model, d, 0) ?? null;
      const long = prices.find(model, d, Number.MAX_SAFE_INTEGER) ?? null;
      row = short === long ? short : false;
      byDay.set(day, row);
    }
    if (row === false) row = prices.find(model, new Date(at), prompt) ?? null;
    return row ? costOf(row, u) : NaN;
  };
}

function costOf(r: PriceRow, u: Usage): number {
  return u.input * r.inputNano + u.w5 * r.cacheWrite5mNano + u.w1 * r.cacheWrite1hNano + u.read * r.cacheReadNano + u.output * r.outputNano;
}

/** The median latency of the recorded hits: what a predicted hit costs in time. */
function recordedHitLatency(t: LlmCalls): number {
  // The same for both passes of a replay (and every replay of the plan): computed once per traffic.
  let v = HIT_LATENCY.get(t);
  if (v === undefined) {
    let n = 0;
    for (let i = 0; i < t.length; i++) if (t.responseCache[i] === HIT && Number.isFinite(t.latencyMs[i]!)) n++;
    const xs = new Float64Array(n);
    let k = 0;
    for (let i = 0; i < t.length; i++) if (t.responseCache[i] === HIT && Number.isFinite(t.latencyMs[i]!)) xs[k++] = t.latencyMs[i]!;
    // Numeric typed-array sort: the same order as (a, b) => a - b on finite values, without a comparator call per pair.
    xs.sort();
    v = n === 0 ? FALLBACK_HIT_LATENCY_MS : xs[n >> 1]!;
    HIT_LATENCY.set(t, v);
  }
  return v;
}
const HIT_LATENCY = new WeakMap<LlmCalls, number>();

/** Whether the live policy made this call's prompt caching (else the client did). */
function policyCached(routing: RoutingPolicy, facts: RouteFacts, model: string, system: number, tools: number, adds: AddsBreakpoints): boolean {
  const plan: RoutePlan = planRoute(routing, facts, { policyVersion: 0, random: () => 0 });
  return plan.promptCaching !== undefined && plan.model === model && system > 0 && adds({ systemTokens: system, toolCount: tools }, plan.promptCaching);
}

type AddsBreakpoints = (shape: { systemTokens: number; toolCount: number }, opts: { ttl: PromptCacheTtl; minTokens: number }) => boolean;

/**
 * The gateway's applyPromptCaching on a request rebuilt from the event's shape (placeholder text
 * of the recorded size), memoized by shape: whether it adds a breakpoint depends only on sizes.
 */
function memoAddsBreakpoints(): AddsBreakpoints {
  const memo = new Map<string, boolean>();
  return (shape, opts) => {
    const k = `${shape.systemTokens}|${shape.toolCount}|${opts.minTokens}`;
    let v = memo.get(k);
    if (v === undefined) {
      const { request } = requestFromEvent({
        model: null,
        requestedModel: null,
        route: null,
        agent: null,
        tags: {},
        userId: null,
        inputTokens: shape.systemTokens,
        cacheReadTokens: 0,
        cacheWrite5mTokens: 0,
        cacheWrite1hTokens: 0,
        outputTokens: 1,
        systemTokens: shape.systemTokens,
        messageCount: 1,
        toolCount: shape.toolCount,
      });
      v = applyPromptCaching(request, opts).added.includes("system");
      memo.set(k, v);
    }
    return v;
  };
}
