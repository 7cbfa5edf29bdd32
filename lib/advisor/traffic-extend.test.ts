import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
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
import { builderDictionaries } from "./traffic-builder";
import { dictionarySize, firstAtOrAfter, LATE_ARRIVAL_MS } from "./traffic-extend";
import { loadTraffic, windowStamp, type LoadTrafficParams } from "./traffic-load";

let handle: DbHandle;
let projectId: string;
const BASE = Date.now() - 4 * 3_600_000;
const MIN = 60_000;
const at = (ms: number) => new Date(BASE + ms).toISOString();
const win = (fromMin: number, toMin: number): LoadTrafficParams => ({ projectId, from: new Date(BASE + fromMin * MIN), to: new Date(BASE + toMin * MIN) });

/**
 * Calls every 20 s over [fromMin, toMin) on three routes, repeating prompts and sessions, with a
 * tool span in every fourth trace. Each batch cycles its strings from a different start, so a
 * moved window and a fresh load code them in different orders.
 */
function calls(fromMin: number, toMin: number, tag: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const shift = tag.charCodeAt(0);
  for (let ms = fromMin * MIN; ms < toMin * MIN; ms += 20_000) {
    const k = ms / 20_000;
    const j = k + shift;
    const traceId = `tr-${tag}-${k}`;
    out.push(
      llmEvent({
        id: `${tag}-${k}`,
        timestamp: at(ms),
        route: ["faq", "research", "triage"][j % 3]!,
        agent: `agent-${j % 2}`,
        sessionId: `s-${j % 7}`,
        traceId,
        userId: j % 5 === 0 ? `u-${j % 3}` : undefined,
        tags: { team: j % 2 ? "core" : "growth", batch: tag },
        promptHash: `ph-${j % 11}`,
        systemHash: j % 4 === 0 ? "sys-1" : undefined,
        systemTokens: j % 4 === 0 ? 2000 : undefined,
        messageCount: 1 + (j % 6),
        toolCount: j % 3,
        inputTokens: 100 + (j % 13) * 10,
        outputTokens: 40 + (j % 5),
        cacheReadTokens: j % 4 === 0 ? 2000 : 0,
        latencyMs: 800 + (j % 17) * 30,
        ...(j % 3 === 1 ? { model: "claude-haiku-4-5" } : {}),
      }),
    );
    if (k % 4 === 0) out.push({ id: `${tag}-tool-${k}`, kind: "tool", timestamp: at(ms + 5), traceId, agent: `agent-${j % 2}`, sessionId: `s-${j % 7}`, latencyMs: 150, metadata: { name: `tool-${j % 3}` } });
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
    numbers: [
      l.status[i], l.responseCache[i], l.streamed[i], l.unpriced[i], l.latencyMs[i], l.ttftMs[i], l.inputTokens[i], l.outputTokens[i],
      l.cacheReadTokens[i], l.cacheWrite5mTokens[i], l.cacheWrite1hTokens[i], l.systemTokens[i], l.messageCount[i], l.toolCount[i],
      l.policyVersion[i], l.requestedCacheTtlSec[i], l.costNano[i], l.receivedUs[i],
    ],
  }));
  const tl = t.tools;
  const tools = Array.from({ length: tl.length }, (_, i) => ({
    span: decode(t.spans, tl.span[i]!),
    ts: tl.tsMs[i],
    trace: decode(t.traces, tl.trace[i]!),
    parent: decode(t.spans, tl.parent[i]!),
    name: decode(t.toolNames, tl.name[i]!),
    agent: decode(t.agents, tl.agent[i]!),
    session: decode(t.sessions, tl.session[i]!),
    numbers: [tl.latencyMs[i], tl.status[i], tl.receivedUs[i]],
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

/** A cache over the real loader that records the windows it loaded; `wrap` may stand in for the loader. */
function recordingCache(opts: { dictionarySlack?: number; wrap?: (p: LoadTrafficParams, load: typeof loadTraffic) => Promise<Traffic> } = {}) {
  const loads: [number, number][] = [];
  const cache = new TrafficCache({
    ...(opts.dictionarySlack !== undefined ? { dictionarySlack: opts.dictionarySlack } : {}),
    load: (db: Db, p: LoadTrafficParams) => {
      loads.push([(p.from.getTime() - BASE) / MIN, (p.to.getTime() - BASE) / MIN]);
      return opts.wrap ? opts.wrap(p, (d, q) => loadTraffic(d, q)) : loadTraffic(db, p);
    },
  });
  return { cache, loads };
}

/** Each test its own project, so one test's arrivals are not another's. */
beforeAll(async () => {
  handle = await createTestDb();
}, 60_000);
afterAll(async () => handle?.close());

async function freshProject(): Promise<void> {
  projectId = (await projectWithKey(handle.db)).project.id;
  await ingest(calls(0, 60, "a"));
}

const CUT = LATE_ARRIVAL_MS / MIN;

describe("firstAtOrAfter", () => {
  it("finds the first row at or after a time in a column in time order", () => {
    const ts = Float64Array.from([1, 2, 2, 5]);
    expect([0, 1, 2, 3, 5, 6].map((ms) => firstAtOrAfter(ts, 4, ms))).toEqual([0, 0, 1, 3, 3, 4]);
    expect(firstAtOrAfter(new Float64Array(0), 0, 3)).toBe(0);
  });
});

describe("a window moved forward (the advisor page's Refresh)", () => {
  beforeEach(freshProject);

  it("loads only its last minutes again and the new part, and holds what a fresh load of the new window holds, for the findings and the replay too", async () => {
    const { cache, loads } = recordingCache();
    // Stored after the rest: the kept window's latest arrival is in its last minutes, which a move drops and reloads.
    await ingest(calls(60 - CUT + 2, 60, "recent"));
    await cache.get(handle.db, win(0, 60));
    // After the first load: later calls, and calls in flight then, stored since with a time inside the kept window's last minutes.
    await ingest([...calls(60, 75, "b"), ...calls(60 - CUT + 1, 60, "late")]);
    const moved = await cache.get(handle.db, win(5, 75));
    expect(loads).toEqual([
      [0, 60],
      [60 - CUT, 75],
    ]);
    expect(cache.extended).toBe(1);
    const fresh = await loadTraffic(handle.db, win(5, 75));
    expect(fresh.llm.length).toBeGreaterThan(200);
    expect(decoded(moved)).toEqual(decoded(fresh));
    expect(await analyse(moved)).toBe(await analyse(fresh));
    expect(moved.stamp).toEqual(await windowStamp(handle.db, win(5, 75)));
    expect(await cache.get(handle.db, win(5, 75))).toBe(moved);
    // And it moves again from there.
    await ingest(calls(75, 80, "c"));
    const again = await cache.get(handle.db, win(20, 80));
    expect(loads.at(-1)).toEqual([75 - CUT, 80]);
    expect(cache.extended).toBe(2);
    expect(decoded(again)).toEqual(decoded(await loadTraffic(handle.db, win(20, 80))));
  });

  it("loads the whole window when the part it would keep changed since (a late arrival before the cut, a repricing)", async () => {
    const { cache, loads } = recordingCache();
    await cache.get(handle.db, win(0, 60));
    await ingest([llmEvent({ id: "very-late", timestamp: at(30 * MIN + 7), route: "faq" })]);
    const moved = await cache.get(handle.db, win(5, 70));
    expect(loads).toEqual([
      [0, 60],
      [5, 70],
    ]);
    expect(cache.extended).toBe(0);
    expect(decoded(moved)).toEqual(decoded(await loadTraffic(handle.db, win(5, 70))));
    await handle.db.execute(sql`update events set cost_nano_usd = cost_nano_usd + 1 where project_id = ${projectId}::uuid and id = 'a-90'`);
    const repriced = await cache.get(handle.db, win(6, 72));
    expect(loads.at(-1)).toEqual([6, 72]);
    expect(decoded(repriced)).toEqual(decoded(await loadTraffic(handle.db, win(6, 72))));
  });

  it("moves a window whose dropped part changed (retention deleting its oldest calls)", async () => {
    const { cache, loads } = recordingCache();
    await cache.get(handle.db, win(0, 60));
    await handle.db.execute(sql`delete from events where project_id = ${projectId}::uuid and ts < ${at(5 * MIN)}::timestamptz`);
    const moved = await cache.get(handle.db, win(5, 65));
    expect(loads.at(-1)).toEqual([60 - CUT, 65]);
    expect(cache.extended).toBe(1);
    expect(decoded(moved)).toEqual(decoded(await loadTraffic(handle.db, win(5, 65))));
  });

  it("loads the whole window for one that starts before the kept one, keeps less than half of it, or nothing", async () => {
    const { cache, loads } = recordingCache();
    await cache.get(handle.db, win(10, 40));
    await cache.get(handle.db, win(5, 45));
    // Kept [5, 45) would keep [32, 30): nothing.
    await cache.get(handle.db, win(32, 60));
    // Kept [32, 60) would keep [40, 45) of its rows: less than half.
    await cache.get(handle.db, win(40, 90));
    expect(loads).toEqual([
      [10, 40],
      [5, 45],
      [32, 60],
      [40, 90],
    ]);
    expect(cache.extended).toBe(0);
  });

  it("leaves the kept window as it was: its rows, and its answers", async () => {
    const { cache } = recordingCache();
    const kept = await cache.get(handle.db, win(0, 60));
    const before = JSON.stringify(decoded(kept));
    const answers = await analyse(kept);
    await ingest(calls(60, 90, "b"));
    await cache.get(handle.db, win(10, 90));
    expect(cache.extended).toBe(1);
    expect(JSON.stringify(decoded(kept))).toBe(before);
    expect(await analyse(kept)).toBe(answers);
  });

  it("keeps nothing when the new part's load is cancelled mid-way, and loads it right the next time", async () => {
    const ac = new AbortController();
    const { cache } = recordingCache({
      wrap: async (p, load) => {
        if (!p.dictionaries) return load(handle.db, p);
        // Cancelled once the new part's rows are being read into the kept window's dictionaries (Postgres reports
        // progress per chunk of the COPY; PGlite once, after its one query).
        return load(handle.db, { ...p, onProgress: () => ac.abort() });
      },
    });
    await cache.get(handle.db, win(0, 40));
    await ingest(calls(60, 70, "b"));
    await expect(cache.get(handle.db, { ...win(5, 70), signal: ac.signal })).rejects.toThrow();
    expect(cache.size).toBe(1);
    expect(cache.extended).toBe(0);
    const t = await cache.get(handle.db, win(5, 70));
    expect(decoded(t)).toEqual(decoded(await loadTraffic(handle.db, win(5, 70))));
  });

  it("loads the whole window when the loader did not code into the kept window's dictionaries", async () => {
    const { cache, loads } = recordingCache({ wrap: (p, load) => load(handle.db, { ...p, dictionaries: undefined }) });
    await cache.get(handle.db, win(0, 40));
    const t = await cache.get(handle.db, win(5, 45));
    expect(cache.extended).toBe(0);
    expect(loads).toEqual([
      [0, 40],
      [40 - CUT, 45],
      [5, 45],
    ]);
    expect(decoded(t)).toEqual(decoded(await loadTraffic(handle.db, win(5, 45))));
  });

  it("loads a window whole again once its dictionaries have doubled since its last whole load", async () => {
    await ingest(calls(60, 200, "b"));
    const { cache, loads } = recordingCache({ dictionarySlack: 0 });
    let t = await cache.get(handle.db, win(0, 60));
    let base = dictionarySize(builderDictionaries(t)!);
    const wholeAt: number[] = [];
    for (let k = 1; k <= 12; k++) {
      const grown = dictionarySize(builderDictionaries(t)!) > 2 * base;
      t = await cache.get(handle.db, win(10 * k, 10 * k + 60));
      const whole = loads.at(-1)![0] === 10 * k;
      expect([k, whole]).toEqual([k, grown]);
      if (whole) {
        wholeAt.push(k);
        base = dictionarySize(builderDictionaries(t)!);
      }
      expect(decoded(t)).toEqual(decoded(await loadTraffic(handle.db, win(10 * k, 10 * k + 60))));
    }
    expect(wholeAt.length).toBeGreaterThan(0);
    expect(cache.extended).toBe(12 - wholeAt.length);
  });
});
