import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { projectWithKey } from "../auth/testing/project-with-key";
import { getSummary } from "./get-summary";
import { getTimeseries } from "./get-timeseries";
import type { Percentiles } from "./histogram";
import { eventArb, exactPercentiles, ingestAndFlush } from "./testing/rollup-oracle";
import { flushRollups } from "./rollup-upkeep";
import { resolveRange } from "./time-range";

let handle: DbHandle;
const NOW = Date.now();

beforeAll(async () => {
  handle = await createTestDb();
  await flushRollups(handle.db);
});
afterAll(async () => {
  await handle?.close();
});

function expectWithin1Percent(estimate: Percentiles, exact: Percentiles, label: string) {
  for (const q of ["p50", "p90", "p95", "p99"] as const) {
    const e = exact[q];
    const got = estimate[q];
    if (e === null) {
      expect(got, `${label} ${q}`).toBeNull();
      continue;
    }
    expect(got, `${label} ${q}`).not.toBeNull();
    const err = e === 0 ? Math.abs(got!) : Math.abs(got! - e) / e;
    expect(err, `${label} ${q}: ${got} vs exact ${e}`).toBeLessThanOrEqual(0.01);
  }
}

describe("percentiles from merged histograms", () => {
  it("stay within 1% of percentile_cont over the events, on random and heavy-tailed data", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb(NOW, 40), { minLength: 1, maxLength: 300 }), async (events) => {
        const { project } = await projectWithKey(handle.db);
        await ingestAndFlush(handle.db, project.id, events);
        for (const params of [{ range: "24h" as const }, { range: "7d" as const }, { range: "7d" as const, model: "claude-sonnet-4-5" }, { range: "7d" as const, route: "chat", status: "ok" as const }]) {
          const range = resolveRange(params, NOW);
          const summary = await getSummary(handle.db, project.id, { ...params, kind: "llm", from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString() });
          const filters = { model: params.model, route: params.route, status: params.status };
          expectWithin1Percent(summary.latencyMs, await exactPercentiles(handle.db, project.id, range, "latency", filters), `latency ${JSON.stringify(params)}`);
          expectWithin1Percent(summary.ttftMs, await exactPercentiles(handle.db, project.id, range, "ttft", filters), `ttft ${JSON.stringify(params)}`);
          const tps = await exactPercentiles(handle.db, project.id, range, "tps", filters);
          expectWithin1Percent({ ...tps, p50: summary.outputTokensPerSec.p50 }, tps, "tps p50");
        }
      }),
      { numRuns: 15 },
    );
  });

  it("stay within 1% per model in byModel and per bucket in the time series", async () => {
    const { project } = await projectWithKey(handle.db);
    const events = fc.sample(eventArb(NOW, 40), { numRuns: 800, seed: 11 });
    await ingestAndFlush(handle.db, project.id, events);
    const range = resolveRange({ range: "7d" }, NOW);
    const iso = { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString() };
    const summary = await getSummary(handle.db, project.id, { kind: "llm", ...iso });
    expect(summary.byModel.length).toBeGreaterThan(2);
    for (const m of summary.byModel) {
      expectWithin1Percent(m.latencyMs, await exactPercentiles(handle.db, project.id, range, "latency", { model: m.model }), `model ${m.model}`);
    }
    const series = await getTimeseries(handle.db, project.id, { kind: "llm", metric: "latency", bucket: "1d", limit: 8, ...iso });
    const points = series.series[0]!.points;
    expect(points.length).toBeGreaterThanOrEqual(7);
    for (const p of points) {
      const bucketRange = { fromMs: Math.max(Date.parse(p.t), range.fromMs), toMs: Math.min(Date.parse(p.t) + 86_400_000, range.toMs) };
      expectWithin1Percent(p.values as Percentiles, await exactPercentiles(handle.db, project.id, bucketRange, "latency"), `bucket ${p.t}`);
    }
  });
});
