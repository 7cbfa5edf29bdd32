import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "@/db/rows";
import { startCachedGateway, type CachedGateway } from "../../gateway/testing/cached-gateway";
import { waitFor } from "../../gateway/testing/gateway-harness";
import { getActivePolicies } from "../../policies/active-policies";
import { getPriceBook } from "../../pricing/price-queries";
import { loadTraffic } from "../traffic-load";
import { runReplay } from "./run-replay";

/**
 * End to end: calls through the gateway that turn the response cache on with x-pitwall-cache-ttl
 * (the live policy caches nothing itself but lets callers choose) are recorded with the TTL asked,
 * and the advisor's backtest of that live policy reproduces the hits the gateway served.
 */
let gw: CachedGateway;
beforeAll(async () => {
  gw = await startCachedGateway({ default: { ttlSec: 0 }, clientTtl: "any" }, { anthropicVersion: "2023-06-01" });
});
afterAll(() => gw?.close());

describe("the caller's x-pitwall-cache-ttl, recorded and replayed", () => {
  it("is stored with each call, and the backtest of the live policy reproduces the measured hit rate", async () => {
    const from = new Date(Date.now() - 60_000);
    // 4 prompts, each asked 10 times in turn: the first of each is a miss, the other 36 are hits.
    for (let round = 0; round < 10; round++) {
      for (let p = 0; p < 4; p++) {
        await gw.client.messages.create(
          { model: "claude-haiku-4-5", max_tokens: 20, messages: [{ role: "user", content: `support question ${p}` }] },
          { headers: { "x-pitwall-route": "support", "x-pitwall-cache-ttl": "600" } },
        );
      }
      // Let the first round's answers reach the cache before they are asked again.
      if (round === 0) await new Promise((r) => setTimeout(r, 300));
    }
    const stored = async () =>
      rowsOf<{ n: number; asked: number; hits: number }>(
        await gw.handle.db.execute(
          sql`select count(*)::int as n, min(requested_cache_ttl_sec)::int as asked, (count(*) filter (where response_cache = 'hit'))::int as hits from events where project_id = ${gw.projectId}::uuid and kind = 'llm'`,
        ),
      )[0]!;
    await waitFor(async () => (await stored()).n === 40, 15_000);
    const row = await stored();
    expect(row.asked).toBe(600);
    expect(row.hits).toBe(36);

    const traffic = await loadTraffic(gw.handle.db, { projectId: gw.projectId, from, to: new Date(Date.now() + 1000) });
    expect(Array.from(traffic.llm.requestedCacheTtlSec)).toEqual(Array(40).fill(600));
    const live = await getActivePolicies(gw.handle.db, gw.projectId);
    const policies = { routing: live.routing, cache: live.cache };
    const answer = await runReplay({ traffic, live: policies, candidate: policies, prices: await getPriceBook(gw.handle.db, gw.projectId) });
    expect(answer.overall.measured.responseCacheHitRate).toBeCloseTo(0.9, 5);
    expect(answer.overall.backtest!.responseCacheHitRate).toBeCloseTo(0.9, 5);
    expect(Math.abs(answer.overall.backtestError!.costPerRequestUsd!)).toBeLessThanOrEqual(0.05);
  });
});
