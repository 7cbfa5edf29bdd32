import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketKey, bucketValue, GAMMA, HistAccumulator, MIN_VALUE, percentilesOf, QUANTILES, RELATIVE_ACCURACY, ZERO_KEY } from "./histogram";
import { csvField } from "./event-csv";
import { decodeHist, encodeHist } from "./hist-codec";
import { nanoToUsdRounded, nanoToUsdString } from "./money";
import { addExact, RollupAggregator, toMicros, tokensPerSecond } from "./rollup-aggregate";
import type { RollupEvent } from "./rollup-event";
import { decodeInto, encodeEvents } from "./rollup-queue-codec";
import { microsToMsDecimal, msDecimalToMicros } from "./rollup-write";

/** Postgres' percentile_cont, for checking in memory. */
function percentileCont(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const r = q * (s.length - 1);
  const lo = Math.floor(r);
  const hi = Math.ceil(r);
  return s[lo]! + (r - lo) * (s[hi]! - s[lo]!);
}

const relErr = (est: number, exact: number) => (exact === 0 ? Math.abs(est) : Math.abs(est - exact) / exact);

describe("log buckets", () => {
  it("represent every value within the relative accuracy", () => {
    fc.assert(
      fc.property(fc.double({ min: MIN_VALUE, max: 1e12, noNaN: true }), (v) => {
        expect(relErr(bucketValue(bucketKey(v)), v)).toBeLessThanOrEqual(RELATIVE_ACCURACY + 1e-12);
      }),
      { numRuns: 5000 },
    );
    expect(GAMMA).toBeGreaterThan(1);
  });

  it("keep zero exact in a bucket of its own", () => {
    expect(bucketKey(0)).toBe(ZERO_KEY);
    expect(bucketValue(ZERO_KEY)).toBe(0);
  });
});

describe("histogram bytes", () => {
  it("round-trip any buckets, sorted, with counts beyond 32 bits", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -100_000, max: 50_000 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })), { maxLength: 300 }), (pairs) => {
        const h = new Map(pairs);
        const bytes = encodeHist(h);
        expect(bytes.length).toBe(h.size * 12);
        expect(decodeHist(bytes)).toEqual(h);
        const keys = [...decodeHist(bytes).keys()];
        expect(keys).toEqual([...keys].sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });

  it("refuse a truncated value rather than misread it", () => {
    expect(() => decodeHist(encodeHist(new Map([[1, 2]])).subarray(0, 7))).toThrow(/corrupt/);
  });
});

describe("percentilesOf", () => {
  const heavyTail = fc.double({ min: 0.0001, max: 0.9999, noNaN: true }).map((u) => Math.min(86_400_000, 50 / Math.pow(1 - u, 1 / 1.1)));
  const logNormal = fc
    .tuple(fc.double({ min: 0.0001, max: 0.9999, noNaN: true }), fc.double({ min: 0.0001, max: 0.9999, noNaN: true }))
    .map(([u, v]) => Math.exp(6 + 1.5 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)));
  // Values under MIN_VALUE (1e-300) share the zero bucket by design.
  const uniform = fc.double({ min: 0, max: 1e6, noNaN: true }).filter((v) => v === 0 || v >= MIN_VALUE);
  const anyValue = fc.oneof(uniform, fc.double({ min: MIN_VALUE, max: 1e-3, noNaN: true }), heavyTail, logNormal, fc.constant(0));

  it("stay within 1% of percentile_cont on random and heavy-tailed data", () => {
    fc.assert(
      fc.property(fc.array(anyValue, { minLength: 1, maxLength: 400 }), (values) => {
        const counts = new Map<number, number>();
        for (const v of values) counts.set(bucketKey(v), (counts.get(bucketKey(v)) ?? 0) + 1);
        const est = percentilesOf([...counts.entries()]);
        QUANTILES.forEach((q, i) => expect(relErr(est[i]!, percentileCont(values, q))).toBeLessThanOrEqual(0.01));
      }),
      { numRuns: 1000 },
    );
  });

  it("give null for an empty histogram", () => {
    expect(percentilesOf([])).toEqual([null, null, null, null]);
  });
});

describe("HistAccumulator.merge", () => {
  const bucketsArb = fc.array(fc.tuple(fc.oneof(fc.integer({ min: -2000, max: 2000 }), fc.constant(ZERO_KEY)), fc.integer({ min: 1, max: 1000 })), { maxLength: 40 });

  it("gives the same counts and percentiles as adding every bucket to one accumulator", () => {
    fc.assert(
      fc.property(fc.array(bucketsArb, { minLength: 1, maxLength: 12 }), (parts) => {
        const merged = new HistAccumulator();
        const direct = new HistAccumulator();
        for (const part of parts) {
          const acc = new HistAccumulator();
          for (const [k, n] of part) {
            acc.add(k, n);
            direct.add(k, n);
          }
          merged.merge(acc);
        }
        expect(merged.total).toBe(direct.total);
        expect(merged.percentiles([0, 0.01, 0.5, 0.9, 0.99, 1])).toEqual(direct.percentiles([0, 0.01, 0.5, 0.9, 0.99, 1]));
        expect(merged.percentiles()).toEqual(percentilesOf(parts.flat()));
      }),
    );
  });

  it("grows to take keys far outside its span on either side, and ignores an empty accumulator", () => {
    const a = new HistAccumulator();
    a.add(10, 1);
    const far = new HistAccumulator();
    far.add(-5000, 2);
    far.add(9000, 3);
    a.merge(far);
    a.merge(new HistAccumulator());
    expect(a.total).toBe(6);
    // Ranks 0-1 hold -5000, rank 2 holds 10, ranks 3-5 hold 9000.
    expect(a.percentiles([0.2, 0.4, 0.6])).toEqual([bucketValue(-5000), bucketValue(10), bucketValue(9000)]);
  });
});

describe("RollupAggregator", () => {
  const event = (over: Partial<RollupEvent> = {}): RollupEvent => ({
    tsMs: Date.parse("2026-03-10T10:15:30Z"),
    kind: "llm",
    model: "m",
    route: "r",
    agent: null,
    status: "ok",
    latencyMs: 1000.5,
    ttftMs: 200,
    inputTokens: 10,
    outputTokens: 20,
    cacheReadTokens: 30,
    cacheWrite5mTokens: 1,
    cacheWrite1hTokens: 2,
    responseCache: "hit",
    costNanoUsd: 123n,
    ...over,
  });

  it("writes minute rows for every set and hour/day rows only when sealed", () => {
    const agg = new RollupAggregator();
    agg.addEvent("p", event());
    agg.addEvent("p", event({ route: "other", status: "error", costNanoUsd: 7n }));
    const unsealed = agg.rows({ hourUntilMs: 0, dayUntilMs: 0 });
    expect(new Set(unsealed.map((r) => r.grainS))).toEqual(new Set([60]));
    // 2 full-dimension rows + project + model + 2 routes + agent
    expect(unsealed).toHaveLength(7);
    const project = unsealed.find((r) => r.setId === 15)!;
    expect(project).toMatchObject({ requests: 2, errors: 1, costNanoUsd: 130n, rcHits: 2, rcHitCostNano: 130n, latencySumUs: 2_001_000 });
    const sealed = agg.rows({ hourUntilMs: Infinity, dayUntilMs: Infinity });
    expect(sealed).toHaveLength(21);
  });

  it("moves money but never counts for a cost delta", () => {
    const agg = new RollupAggregator();
    agg.addCostDelta("p", { tsMs: 0, kind: "llm", model: "m", route: null, agent: null, status: "ok", responseCache: "miss", deltaNanoUsd: -50n });
    const row = agg.rows().find((r) => r.setId === 15 && r.grainS === 60)!;
    expect(row).toMatchObject({ requests: 0, costNanoUsd: -50n, rcMissCostNano: -50n });
  });

  it("measures tokens per second after the first token, for ok calls only", () => {
    expect(tokensPerSecond({ status: "ok", outputTokens: 100, latencyMs: 1200, ttftMs: 200 })).toBe(100);
    expect(tokensPerSecond({ status: "error", outputTokens: 100, latencyMs: 1200, ttftMs: 200 })).toBeNull();
    expect(tokensPerSecond({ status: "ok", outputTokens: 0, latencyMs: 1200, ttftMs: null })).toBeNull();
  });
});

describe("latency sums past 2^53 microseconds", () => {
  type QueuedEvent = Parameters<typeof encodeEvents>[0][number];
  const DAY_MS = 86_400_000;
  const record = (i: number): QueuedEvent => ({
    id: `e${i}`,
    ts: "2026-01-01T00:00:30.000Z",
    kind: "llm",
    agent: null,
    route: null,
    sessionId: null,
    traceId: null,
    parentId: null,
    userId: null,
    provider: "anthropic",
    model: "m",
    requestedModel: null,
    status: "ok",
    errorType: null,
    httpStatus: null,
    latencyMs: DAY_MS,
    ttftMs: DAY_MS - 1,
    streamed: true,
    inputTokens: 1,
    outputTokens: 1,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    responseCache: i % 2 ? "hit" : "miss",
    costNanoUsd: "1",
    costSource: "computed",
    promptHash: null,
    systemHash: null,
    systemTokens: null,
    messageCount: null,
    toolCount: null,
    policyVersion: null,
    requestedCacheTtlSec: null,
    tags: {},
    metadata: {},
  });

  it("stay exact for 105,000 events of 24 h latency in one row (the queue's packed path)", () => {
    const n = 105_000;
    const agg = new RollupAggregator();
    // Ingest batches are at most 1,000 events: one queue row each, as the flusher sees them.
    for (let i = 0; i < n; i += 1000) {
      const { payload, packed } = encodeEvents(Array.from({ length: 1000 }, (_, j) => record(i + j)));
      decodeInto(agg, "p", payload, packed);
    }
    const row = agg.rows({ hourUntilMs: 0, dayUntilMs: 0 }).find((r) => r.setId === 15)!;
    expect(row.latencyCount).toBe(n);
    expect(row.latencySumUs).toBe(BigInt(n) * 86_400_000_000n);
    expect(row.latencySumUs > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(row.ttftSumUs).toBe(BigInt(n) * 86_399_999_000n);
    expect(BigInt(row.rcHitLatencyUs) + BigInt(row.rcMissLatencyUs)).toBe(row.latencySumUs);
    expect(microsToMsDecimal(row.latencySumUs)).toBe("9072000000000");
  });

  it("stay exact within one huge queue row, settling before a double passes 2^53", () => {
    const agg = new RollupAggregator();
    const { payload, packed } = encodeEvents(Array.from({ length: 105_000 }, (_, i) => record(i)));
    decodeInto(agg, "p", payload, packed);
    const row = agg.rows({ hourUntilMs: 0, dayUntilMs: 0 }).find((r) => r.setId === 15)!;
    expect(row.latencySumUs).toBe(105_000n * 86_400_000_000n);
  });

  it("print and read back sums beyond 2^53 exactly", () => {
    const big = 2n ** 53n + 7n;
    expect(microsToMsDecimal(big)).toBe("9007199254740.999");
    expect(msDecimalToMicros("9007199254740.999")).toBe(big);
    expect(msDecimalToMicros(microsToMsDecimal(123_456_789_012_345_678n))).toBe(123_456_789_012_345_678n);
    // Below 2^53 a sum stays a plain number (the fast path).
    expect(msDecimalToMicros("1234.567")).toBe(1_234_567);
    expect(addExact(Number.MAX_SAFE_INTEGER, 2)).toBe(2n ** 53n + 1n);
    expect(addExact(1, 2)).toBe(3);
    expect(addExact(2n ** 60n, 5)).toBe(2n ** 60n + 5n);
    expect(() => microsToMsDecimal(2 ** 53 + 2)).toThrow(/exact integer/);
  });
});

describe("exact numbers", () => {
  it("round latencies to microseconds the same way as SQL", () => {
    expect(toMicros(1.0005)).toBe(1001);
    expect(microsToMsDecimal(1_234_567)).toBe("1234.567");
    expect(microsToMsDecimal(5_000)).toBe("5");
    expect(microsToMsDecimal(5)).toBe("0.005");
  });

  it("print nano-USD exactly and round to the micro-dollar", () => {
    expect(nanoToUsdString(1_234_567_890_123n)).toBe("1234.567890123");
    expect(nanoToUsdString(-5n)).toBe("-0.000000005");
    expect(nanoToUsdString(3_000_000_000n)).toBe("3");
    expect(nanoToUsdRounded(1_234_567_890_623n)).toBe(1234.567891);
    expect(nanoToUsdRounded(12_345_678_901_234_567n)).toBe(12_345_678.901235);
  });
});

describe("csvField", () => {
  it("quotes separators and defuses spreadsheet formulas", () => {
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField("-1+2")).toBe("'-1+2");
    expect(csvField(-1)).toBe("-1");
    expect(csvField(null)).toBe("");
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
  });
});
