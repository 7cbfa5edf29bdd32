import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { relativeGap, rerunPhases } from "./testing/phase-rerun";

/**
 * A small, seeded version of bench:advisor's phase rerun: the reference workload through a real
 * gateway (simulator without per-call noise), the plan's prediction per phase, and the
 * measurement of a rerun under that phase.
 *
 * What it asserts: the backtest (p95 and cost within 5%) and, for every phase, the issue's
 * acceptance: the measured p95, TTFT p95 and cost per request within 10% of the prediction.
 */
let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

describe("advisor acceptance (small)", () => {
  it("backtests within 5% and predicts each phase's p95, TTFT p95 and cost per request within 10% of a rerun under it", async () => {
    const { plan, checks } = await rerunPhases(handle, { seed: 7, requests: 160, latencyScale: 0.05, concurrency: 16, arrivalsPerSec: 8, quiet: true });
    expect(plan.notEnoughData).toBeNull();
    expect(Math.abs(plan.backtestError!.latencyP95Ms!)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(plan.backtestError!.costPerRequestUsd!)).toBeLessThanOrEqual(0.05);
    expect(checks.map((c) => c.phase)).toEqual(["response_cache", "prompt_caching", "streaming", "sequential_tools", "context_growth", "model_right_sizing", "batch"]);
    for (const c of checks) {
      const p95 = relativeGap(c.predicted?.latencyP95Ms, c.measured.latencyP95Ms);
      const ttft = relativeGap(c.predicted?.ttftP95Ms, c.measured.ttftP95Ms);
      const cost = relativeGap(c.predicted?.costPerRequestUsd, c.measured.costPerRequestUsd);
      const pm = (p: number | null | undefined, m: number | null | undefined) => `${p?.toFixed(0) ?? "n/a"} / ${m?.toFixed(0) ?? "n/a"}`;
      console.log(
        `${c.phase}: p95 ${pm(c.predicted?.latencyP95Ms, c.measured.latencyP95Ms)} ms (gap ${p95?.toFixed(3)}), TTFT p95 ${pm(c.predicted?.ttftP95Ms, c.measured.ttftP95Ms)} ms (gap ${ttft?.toFixed(3) ?? "n/a"}), cost gap ${cost?.toFixed(3)}`,
      );
      expect(cost, `${c.phase} cost`).not.toBeNull();
      expect(cost!, `${c.phase} cost`).toBeLessThanOrEqual(0.1);
      expect(p95, `${c.phase} p95`).not.toBeNull();
      expect(p95!, `${c.phase} p95`).toBeLessThanOrEqual(0.1);
      // TTFT exists once the client streams, from the streaming phase on (the baseline streams nothing).
      const streams = checks.indexOf(c) >= checks.findIndex((x) => x.phase === "streaming");
      expect(c.measured.ttftP95Ms === null, `${c.phase} has no TTFT`).toBe(!streams);
      if (streams) {
        expect(ttft, `${c.phase} TTFT p95`).not.toBeNull();
        expect(ttft!, `${c.phase} TTFT p95`).toBeLessThanOrEqual(0.1);
      }
    }
    // The cache phases cut cost; trimming the context and right-sizing cut it further.
    const cost = (id: string) => checks.find((c) => c.phase === id)!.measured.costPerRequestUsd!;
    expect(cost("prompt_caching")).toBeLessThan(plan.baseline.costPerRequestUsd!);
    expect(cost("model_right_sizing")).toBeLessThan(cost("prompt_caching"));
  }, 600_000);
});
