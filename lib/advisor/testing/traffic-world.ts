import { PriceBook, costNanoUsd } from "../../pricing/compute-cost";
import { seedPriceRows } from "../../pricing/seed-prices";
import { seededRandom } from "../../seeded-random";
import type { Traffic } from "../traffic";
import { TrafficBuilder, type LlmRow } from "../traffic-builder";

/**
 * Test-only: a small seeded "world" that records traffic the way the gateway and an Anthropic-like
 * upstream would, with known timing, so the replay's predictions can be checked against a rerun
 * of the same requests under the candidate. Never imported by production code.
 */

export type WorldTiming = { baseMs: number; prefillMsPer1k: number; cacheReadMsPer1k: number; msPerOutputToken: number };
export const WORLD_TIMING: Record<string, WorldTiming> = {
  "claude-sonnet-4-5": { baseMs: 600, prefillMsPer1k: 40, cacheReadMsPer1k: 4, msPerOutputToken: 13 },
  "claude-opus-4-1": { baseMs: 1200, prefillMsPer1k: 80, cacheReadMsPer1k: 8, msPerOutputToken: 25 },
  "claude-haiku-4-5": { baseMs: 300, prefillMsPer1k: 15, cacheReadMsPer1k: 1.5, msPerOutputToken: 6 },
};

export type ClientRequest = {
  ts: number;
  route: string;
  requestedModel: string;
  promptKey: string;
  systemKey: string;
  systemTokens: number;
  messageTokens: number;
  messageCount: number;
  outputTokens: number;
  streamed: boolean;
};

export type WorldPolicy = {
  /** route -> served model (absent: the requested one). */
  models?: Record<string, string>;
  /** Response cache TTL in seconds for every route (0/absent: off). */
  responseCacheTtlSec?: number;
  /** Prompt caching of the system prompt by the gateway. */
  promptCaching?: "5m" | "1h";
  minCacheable?: number;
};

export function worldPrices(): PriceBook {
  return new PriceBook(seedPriceRows().map((r) => ({ ...r, effectiveFrom: new Date(0) })));
}

/** Requests of a seeded fleet: `repeatShare` of them repeat an earlier prompt of the same route. */
export function clientRequests(opts: { seed: number; count: number; routes: string[]; model: string; repeatShare?: number; systemTokens?: number; spacingMs?: number; streamedShare?: number }): ClientRequest[] {
  const rnd = seededRandom(opts.seed);
  const out: ClientRequest[] = [];
  let ts = Date.UTC(2026, 10, 1);
  const byRoute = new Map<string, ClientRequest[]>();
  for (let k = 0; k < opts.count; k++) {
    ts += Math.round((opts.spacingMs ?? 2000) * -Math.log(1 - rnd()));
    const route = opts.routes[k % opts.routes.length]!;
    const earlier = byRoute.get(route) ?? [];
    byRoute.set(route, earlier);
    if (earlier.length > 0 && rnd() < (opts.repeatShare ?? 0)) {
      const src = earlier[Math.floor(rnd() * Math.min(earlier.length, 20)) + Math.max(0, earlier.length - 20)]!;
      out.push({ ...src, ts });
      continue;
    }
    const messageCount = 1 + 2 * Math.floor(rnd() * 4);
    const fresh: ClientRequest = {
      ts,
      route,
      requestedModel: opts.model,
      promptKey: `p${k}`,
      systemKey: `sys-${route}`,
      systemTokens: opts.systemTokens ?? 4000,
      messageTokens: 200 + Math.floor(rnd() * rnd() * 16_000),
      messageCount,
      outputTokens: 50 + Math.floor(rnd() * 400),
      streamed: rnd() < (opts.streamedShare ?? 0.5),
    };
    earlier.push(fresh);
    out.push(fresh);
  }
  return out;
}

/** Runs the requests through the world under `policy` and returns what the gateway would record. */
export function recordWorld(requests: ClientRequest[], policy: WorldPolicy, seed = 7): Traffic {
  const rows = recordWorldRows(requests, policy, seed);
  const b = new TrafficBuilder({ projectId: "p", fromMs: requests[0]?.ts ?? 0, toMs: (requests[requests.length - 1]?.ts ?? 0) + 1 });
  for (const r of rows) b.addLlm(r);
  return b.finish();
}

/** As recordWorld, the recorded rows themselves (to insert into the events table). */
export function recordWorldRows(requests: ClientRequest[], policy: WorldPolicy, seed = 7): LlmRow[] {
  const rnd = seededRandom(seed);
  const prices = worldPrices();
  const responses = new Map<string, { available: number; expires: number; model: string }>();
  const prompts = new Map<string, number>();
  const rows: LlmRow[] = requests.map((r, k) => {
    const model = policy.models?.[r.route] ?? r.requestedModel;
    const ttl = policy.responseCacheTtlSec ?? 0;
    const rkey = `${model}|${r.promptKey}`;
    const entry = responses.get(rkey);
    const base: LlmRow = {
      id: `e${k}`, tsMs: r.ts, status: "ok", route: r.route, agent: null, model, requestedModel: r.requestedModel,
      user: null, session: null, trace: null, parent: null, promptHash: r.promptKey, systemHash: r.systemKey, tags: {},
      latencyMs: 0, ttftMs: null, streamed: r.streamed, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0, responseCache: ttl > 0 ? "miss" : "none", costNano: 0, unpriced: false, systemTokens: r.systemTokens,
      messageCount: r.messageCount, toolCount: 0, policyVersion: 1, requestedCacheTtlSec: null,
    };
    // Two draws per request whatever happens, so reruns under another policy see the same noise.
    const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    const jitter = 1 + 0.15 * (rnd() * 2 - 1);
    if (ttl > 0 && entry && entry.available <= r.ts && r.ts < entry.expires) {
      const lat = 3 + (2 * Math.abs(jitter - 1)) / 0.15;
      return { ...base, responseCache: "hit", latencyMs: lat, ttftMs: r.streamed ? lat : null };
    }
    const prompt = r.systemTokens + r.messageTokens;
    let input = prompt;
    let read = 0;
    let w5 = 0;
    let w1 = 0;
    if (policy.promptCaching && r.systemTokens >= (policy.minCacheable ?? 1024)) {
      const pkey = `${model}|${r.systemKey}`;
      const exp = prompts.get(pkey);
      input = r.messageTokens;
      if (exp !== undefined && r.ts <= exp) read = r.systemTokens;
      else if (policy.promptCaching === "1h") w1 = r.systemTokens;
      else w5 = r.systemTokens;
      prompts.set(pkey, r.ts + (policy.promptCaching === "1h" ? 3_600_000 : 300_000));
    }
    const tm = WORLD_TIMING[model]!;
    const ttft = (tm.baseMs + (tm.prefillMsPer1k * (input + w5 + w1)) / 1000 + (tm.cacheReadMsPer1k * read) / 1000) * Math.exp(0.25 * z);
    const lat = ttft + tm.msPerOutputToken * r.outputTokens * jitter;
    if (ttl > 0) responses.set(rkey, { available: r.ts + lat, expires: r.ts + lat + ttl * 1000, model });
    const usage = { inputTokens: input, outputTokens: r.outputTokens, cacheReadTokens: read, cacheWrite5mTokens: w5, cacheWrite1hTokens: w1 };
    const row = prices.find(model, new Date(r.ts), prompt);
    return {
      ...base,
      latencyMs: lat,
      ttftMs: r.streamed ? ttft : null,
      inputTokens: input,
      outputTokens: r.outputTokens,
      cacheReadTokens: read,
      cacheWrite5mTokens: w5,
      cacheWrite1hTokens: w1,
      costNano: row ? Number(costNanoUsd(row, usage)) : 0,
      unpriced: !row,
    };
  });
  return rows;
}
