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
 * End to end: with a 10-minute TTL live, some callers send Cache-Control: no-cache (the gateway
 * skips the read but stores the fresh answer) or no-store (neither), and the advisor's backtest
 * of the live policy reproduces the hits the gateway served instead of counting those callers'
 * repeats as hits.
 */
let gw: CachedGateway;
beforeAll(async () => {
  gw = await startCachedGateway({ default: { ttlSec: 600 } }, { anthropicVersion: "2023-06-01" });
});
afterAll(() => gw?.close());

/** Who sends prompt p in round r: prompt 0 is sent with no-cache and prompt 1 with no-store in rounds 0-4, the rest take the cache. */
function cacheControl(p: number, round: number): string | null {
  if (round >= 5) return null;
  return p === 0 ? "no-cache" : p === 1 ? "no-store" : null;
}

describe("the callers' Cache-Control, recorded and replayed", () => {
  it("the backtest of the live policy reproduces the measured hit rate", async () => {
    const from = new Date(Date.now() - 60_000);
    for (let round = 0; round < 10; round++) {
      for (let p = 0; p < 4; p++) {
        const cc = cacheControl(p, round);
        await gw.client.messages.create(
          { model: "claude-haiku-4-5", max_tokens: 20, messages: [{ role: "user", content: `support question ${p}` }] },
          { headers: { "x-pitwall-route": "support", ...(cc ? { "cache-control": cc } : {}) } },
        );
      }
      // Let the answers stored in round 0 (prompts 0, 2, 3) and round 5 (prompt 1's first stored one) reach the cache.
      if (round === 0 || round === 5) await new Promise((r) => setTimeout(r, 300));
    }
    // Prompt 0: rounds 5-9 are hits on the no-cache callers' entry (5). Prompt 1: round 5 is a
    // miss (no-store wrote nothing), 6-9 hits (4). Prompts 2 and 3: rounds 1-9 (18). 27 of 40.
    const stored = async () =>
      rowsOf<{ n: number; hits: number; bypass: number }>(
        await gw.handle.db.execute(
          sql`select count(*)::int as n, (count(*) filter (where response_cache = 'hit'))::int as hits, (count(*) filter (where response_cache = 'bypass'))::int as bypass
            from events where project_id = ${gw.projectId}::uuid and kind = 'llm'`,
        ),
      )[0]!;
    await waitFor(async () => (await stored()).n === 40, 15_000);
    const row = await stored();
    expect(row.bypass).toBe(10);
    expect(row.hits).toBe(27);

    const traffic = await loadTraffic(gw.handle.db, { projectId: gw.projectId, from, to: new Date(Date.now() + 1000) });
    const live = await getActivePolicies(gw.handle.db, gw.projectId);
    const policies = { routing: live.routing, cache: live.cache };
    const answer = await runReplay({ traffic, live: policies, candidate: policies, prices: await getPriceBook(gw.handle.db, gw.projectId) });
    expect(answer.overall.measured.responseCacheHitRate).toBeCloseTo(27 / 40, 5);
    expect(answer.overall.backtest!.responseCacheHitRate).toBeCloseTo(27 / 40, 5);
    expect(Math.abs(answer.overall.backtestError!.costPerRequestUsd!)).toBeLessThanOrEqual(0.05);
  });
});
