import { describe, expect, it } from "vitest";
import { llmRow, trafficOf } from "../testing/traffic-rows";
import { worldPrices } from "../testing/traffic-world";
import { missReason } from "./prompt-caching";
import { seededRandom } from "../../seeded-random";
import { hitRateAtTtl, hitsAtTtls, replayTtl, TTL_GRID_SEC } from "./response-cache";
import type { FindingContext } from "./route-groups";

describe("response-cache hit rate vs TTL", () => {
  it("runs the TTL from the write: a hit does not extend the entry, the next miss writes again", () => {
    // One prompt every 40 s: with a 60 s TTL the entry written at 0 serves 40, expires before 80 (a
    // miss that writes), serves 120, and so on: every other request hits.
    const t = trafficOf(Array.from({ length: 10 }, (_, k) => llmRow({ tsMs: k * 40_000, promptHash: "same" })));
    const ctx = { traffic: t, prices: worldPrices(), days: 1, projectSlug: "p" } satisfies FindingContext;
    const rows = Array.from({ length: 10 }, (_, i) => i);
    expect(hitRateAtTtl(ctx, rows, 60_000).hits).toBe(5);
    // Reset on each read (the prompt cache's rule) would have made all 9 repeats hits.
    expect(hitRateAtTtl(ctx, rows, 400_000).hits).toBe(9);
    expect(hitRateAtTtl(ctx, rows, 30_000).hits).toBe(0);
  });
});

describe("the TTL curve in one pass", () => {
  it("counts at every TTL what a replay at that TTL alone counts, with no-cache, no-store and TTL-0 callers", () => {
    for (const seed of [1, 2, 3]) {
      const rnd = seededRandom(seed);
      let ts = 0;
      const rows = Array.from({ length: 3000 }, () => {
        ts += rnd() * 10_000;
        const r = rnd();
        // Some no-cache (bypass), some no-store (a TTL of 0 asked), some asking a TTL of their own.
        return llmRow({
          tsMs: ts,
          promptHash: rnd() < 0.05 ? null : `p${Math.floor(rnd() * 20)}`,
          ...(r < 0.05 ? { responseCache: "bypass" as const } : {}),
          ...(r >= 0.05 && r < 0.1 ? { requestedCacheTtlSec: 0 } : r >= 0.1 && r < 0.15 ? { requestedCacheTtlSec: 600 } : {}),
        });
      });
      const traffic = trafficOf(rows);
      const ctx = { traffic, prices: worldPrices(), days: 1, projectSlug: "p" } satisfies FindingContext;
      const idx = Array.from({ length: traffic.llm.length }, (_, i) => i).filter(() => rnd() < 0.8);
      const ttls = TTL_GRID_SEC.map((s) => s * 1000);
      const one = ttls.map((ttl) => replayTtl(ctx, idx, ttl, null));
      expect(hitsAtTtls(ctx, idx, ttls)).toEqual(one);
      expect(one[0]).toBeGreaterThan(0);
      expect(one.at(-1)).toBeGreaterThan(one[0]!);
    }
  });
});

describe("why a prompt-cache miss", () => {
  const base = { tokens: 5000, minimum: 1024, gapMs: 60_000, prefixChanged: false, wrote: true, wrote1h: false };
  it("names each reason", () => {
    expect(missReason({ ...base, tokens: 800 })).toBe("below_minimum");
    expect(missReason({ ...base, gapMs: undefined })).toBe("first_use");
    expect(missReason({ ...base, gapMs: undefined, prefixChanged: true })).toBe("prefix_changed");
    expect(missReason({ ...base, gapMs: 400_000 })).toBe("expired");
    expect(missReason({ ...base, gapMs: 400_000, wrote1h: true })).toBe("prefix_changed");
    expect(missReason({ ...base, wrote: false })).toBe("not_requested");
  });
});

describe("percentile", () => {
  it("matches the sorted-array definition (linear between ranks), ignoring NaN", async () => {
    const { percentile } = await import("./route-groups");
    const fc = (await import("fast-check")).default;
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant(Number.NaN)), { minLength: 1, maxLength: 200 }), fc.integer({ min: 0, max: 100 }), (xs, p) => {
        const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
        if (s.length === 0) {
          expect(percentile(xs, p)).toBeNaN();
          return;
        }
        const rank = (p / 100) * (s.length - 1);
        const want = s[Math.floor(rank)]! + (s[Math.ceil(rank)]! - s[Math.floor(rank)]!) * (rank - Math.floor(rank));
        expect(percentile(xs, p)).toBeCloseTo(want, 9);
      }),
    );
  });
});
