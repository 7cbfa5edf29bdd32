import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { projectWithKey } from "../auth/testing/project-with-key";
import { llmEvent } from "../events/testing/llm-event";
import { ingestBatch } from "../ingestion/ingest-batch";
import { CachePolicy } from "../policies/cache-policy-schema";
import { RoutingPolicy } from "../policies/routing-policy-schema";
import { analyzeFindings } from "./findings/analyze-findings";
import { runReplay } from "./replay/run-replay";
import { worldPrices } from "./testing/traffic-world";
import { decode, type Traffic } from "./traffic";
import { TrafficCache } from "./traffic-cache";
import { firstAtOrAfter } from "./traffic-extend";
import { loadTraffic, windowStamp, type LoadTrafficParams } from "./traffic-load";

let handle: DbHandle;
let projectId: string;
const BASE = Date.now() - 3 * 3_600_000;
const MIN = 60_000;
const at = (ms: number) => new Date(BASE + ms).toISOString();
const win = (fromMin: number, toMin: number): LoadTrafficParams => ({ projectId, from: new Date(BASE + fromMin * MIN), to: new Date(BASE + toMin * MIN) });

/** Calls every 20 s over [fromMin, toMin) on three routes, repeating prompts and sessions, with a tool span in every fourth trace. */
function calls(fromMin: number, toMin: number, tag: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let ms = fromMin * MIN; ms < toMin * MIN; ms += 20_000) {
    const k = ms / 20_000;
    const route = ["faq", "research", "triage"][k % 3]!;
    const traceId = `tr-${tag}-${k}`;
    out.push(
      llmEvent({
        id: `${tag}-${k}`,
        timestamp: at(ms),
        route,
        agent: `agent-${k % 2}`,
        sessionId: `s-${k % 7}`,
        traceId,
        userId: k % 5 === 0 ? `u-${k % 3}` : undefined,
        tags: { team: k % 2 ? "core" : "growth", batch: tag },
        promptHash: `ph-${k % 11}`,
        inputTokens: 100 + (k % 13) * 10,
        outputTokens: 40 + (k % 5),
        latencyMs: 800 + (k % 17) * 30,
        ...(k % 3 === 1 ? { model: "claude-haiku-4-5" } : {}),
      }),
    );
    if (k % 4 === 0) out.push({ id: `${tag}-tool-${k}`, kind: "tool", timestamp: at(ms + 5), traceId, latencyMs: 150, metadata: { name: `tool-${k % 3}` } });
  }
  return out;
}

async function ingest(events: Record<string, unknown>[]): Promise<void> {
  const r = await ingestBatch(handle.db, projectId, events);
  expect(r.rejected).toEqual([]);
}

/** Every row as its strings and values: codes differ between a moved window and a fresh load, what they stand for must not. */
function decoded(t: Traffic) {
  const l = t.llm;
  const llm = Array.from({ length: l.length }, (_, i) => ({
    id: l.id.at(i),
    ts: l.tsMs[i],
    route: decode(t.routes, l.route[i]!),
    agent: decode(t.agents, l.agent[i]!),
    session: decode(t.sessions, l.session[i]!),
    trace: decode(t.traces, l.trace[i]!),
    parent: decode(t.spans, l.parent[i]!),
    model: decode(t.models, l.model[i]!),
    requested: decode(t.models, l.requestedModel[i]!),
    user: decode(t.users, l.user[i]!),
    tags: t.tags[l.tagSet[i]!],
    prompt: decode(t.hashes, l.promptHash[i]!),
    system: decode(t.hashes, l.systemHash[i]!),
    numbers: [l.status[i], l.responseCache[i], l.streamed[i], l.unpriced[i], l.latencyMs[i], l.ttftMs[i], l.inputTokens[i], l.outputTokens[i], l.costNano[i], l.policyVersion[i], l.requestedCacheTtlSec[i]],
  }));
  const tl = t.tools;
  const tools = Array.from({ length: tl.length }, (_, i) => ({
    span: decode(t.spans, tl.span[i]!),
    ts: tl.tsMs[i],
    trace: decode(t.traces, tl.trace[i]!),
    name: decode(t.toolNames, tl.name[i]!),
    latency: tl.latencyMs[i],
  }));
  return { fromMs: t.fromMs, toMs: t.toMs, llm, tools };
}

const prices = worldPrices();
const live = { routing: RoutingPolicy.parse({}), cache: CachePolicy.parse({}) };
const candidate = {
  routing: RoutingPolicy.parse({ default: { promptCaching: { enabled: true, ttl: "5m" } } }),
  cache: CachePolicy.parse({ default: { ttlSec: 600 } }),
};
async function analyse(t: Traffic): Promise<string> {
  const findings = analyzeFindings(t, { prices, projectSlug: "demo" });
  const { elapsedMs: _, ...replay } = await runReplay({ traffic: t, live, candidate, prices });
  return JSON.stringify({ findings, replay });
}

/** A cache over the real loader that records the windows it loaded. */
function recordingCache() {
  const loads: [number, number][] = [];
  const cache = new TrafficCache({
    load: (db: Db, p: LoadTrafficParams) => {
      loads.push([(p.from.getTime() - BASE) / MIN, (p.to.getTime() - BASE) / MIN]);
      return loadTraffic(db, p);
    },
  });
  return { cache, loads };
}

beforeAll(async () => {
  handle = await createTestDb();
  projectId = (await projectWithKey(handle.db)).project.id;
  await ingest(calls(0, 60, "a"));
}, 60_000);
afterAll(async () => handle?.close());

describe("firstAtOrAfter", () => {
  it("finds the first row at or after a time in a column in time order", () => {
    const ts = Float64Array.from([1, 2, 2, 5]);
    expect([0, 1, 2, 3, 5, 6].map((ms) => firstAtOrAfter(ts, 4, ms))).toEqual([0, 0, 1, 3, 3, 4]);
    expect(firstAtOrAfter(new Float64Array(0), 0, 3)).toBe(0);
  });
});

describe("a window moved forward (the advisor page's Refresh)", () => {
  it("loads only the new part, and holds what a fresh load of the new window holds, for the findings and the replay too", async () => {
    const { cache, loads } = recordingCache();
    await cache.get(handle.db, win(0, 50));
    // Arrivals after the first load: later calls, and ones inside the kept window's time but after its end.
    await ingest(calls(50, 75, "b"));
    const moved = await cache.get(handle.db, win(10, 75));
    expect(loads).toEqual([
      [0, 50],
      [50, 75],
    ]);
    expect(cache.extended).toBe(1);
    const fresh = await loadTraffic(handle.db, win(10, 75));
    expect(moved.llm.length).toBe(fresh.llm.length);
    expect(fresh.llm.length).toBeGreaterThan(150);
    expect(decoded(moved)).toEqual(decoded(fresh));
    expect(await analyse(moved)).toBe(await analyse(fresh));
    // The latest arrival is in the new part: the stamp is the window's own, so the next ask reuses it.
    expect(moved.stamp).toEqual(await windowStamp(handle.db, win(10, 75)));
    expect(await cache.get(handle.db, win(10, 75))).toBe(moved);
    // And it moves again from there.
    await ingest(calls(75, 80, "c"));
    const again = await cache.get(handle.db, win(20, 80));
    expect(loads.at(-1)).toEqual([75, 80]);
    expect(decoded(again)).toEqual(decoded(await loadTraffic(handle.db, win(20, 80))));
  });

  it("loads the whole window when the kept one changed since it was loaded", async () => {
    const { cache, loads } = recordingCache();
    const kept = await cache.get(handle.db, win(0, 60));
    await ingest([llmEvent({ id: "late-arrival", timestamp: at(30 * MIN + 7), route: "faq" })]);
    const moved = await cache.get(handle.db, win(5, 70));
    expect(loads).toEqual([
      [0, 60],
      [5, 70],
    ]);
    expect(cache.extended).toBe(0);
    expect(moved.llm.length).toBeGreaterThan(0);
    expect(decoded(moved)).toEqual(decoded(await loadTraffic(handle.db, win(5, 70))));
    expect(kept.llm.length).toBeGreaterThan(0);
  });

  it("loads the whole window for one that starts before the kept one, or after its end", async () => {
    const { cache, loads } = recordingCache();
    await cache.get(handle.db, win(10, 40));
    await cache.get(handle.db, win(5, 45));
    // Starts where the latest-ending kept window ends: nothing of it is kept.
    await cache.get(handle.db, win(45, 60));
    expect(loads).toEqual([
      [10, 40],
      [5, 45],
      [45, 60],
    ]);
    expect(cache.extended).toBe(0);
  });

  it("leaves the kept window as it was: its rows, and its answers", async () => {
    const { cache } = recordingCache();
    const kept = await cache.get(handle.db, win(0, 30));
    const before = JSON.stringify(decoded(kept));
    const answers = await analyse(kept);
    await cache.get(handle.db, win(15, 90));
    expect(cache.extended).toBe(1);
    expect(JSON.stringify(decoded(kept))).toBe(before);
    expect(await analyse(kept)).toBe(answers);
  });

  it("keeps nothing when the new part's load is cancelled", async () => {
    const { cache } = recordingCache();
    await cache.get(handle.db, win(0, 20));
    const ac = new AbortController();
    const moved = cache.get(handle.db, { ...win(5, 40), signal: ac.signal });
    ac.abort();
    await expect(moved).rejects.toThrow();
    expect(cache.size).toBe(1);
    const t = await cache.get(handle.db, win(5, 40));
    expect(decoded(t)).toEqual(decoded(await loadTraffic(handle.db, win(5, 40))));
  });
});
