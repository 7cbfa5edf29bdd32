import { monitorEventLoopDelay } from "node:perf_hooks";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { events } from "@/db/schema";
import { waitFor } from "../../gateway/testing/gateway-harness";
import { projectWithKey } from "../../auth/testing/project-with-key";
import { WORKLOAD_MANIFESTS, WORKLOAD_VARIANTS } from "./manifest";
import { compareWithManifest, measureWorkload } from "./measure-workload";
import { runReferenceWorkload } from "./run-workload";
import { referenceWorldForFile } from "./testing/reference-world";

/** Workload time x 0.1: a 200 ms tool takes 20 ms, and the simulator answers ten times as fast. */
const SCALE = 0.1;

const world = referenceWorldForFile(SCALE);

describe("the reference workload through the gateway", () => {
  for (const variant of WORKLOAD_VARIANTS) {
    it(`records the ${variant} manifest's planted rates, route by route, within 10%`, async () => {
      const { project, key } = await projectWithKey(world.handle.db);
      // Gateway, simulator, ingestion and the database share this process: a tool's 20 ms sleep
      // ends when the event loop gets to it. The run's p99 loop delay is allowed on tool spans.
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      const result = await runReferenceWorkload({
        baseUrl: world.ingest.url,
        gatewayUrl: world.h.baseURL,
        apiKey: key,
        variant,
        seed: 7,
        requests: 120,
        concurrency: 12,
        latencyScale: SCALE,
        arrivalsPerSec: 4,
      });
      loop.disable();
      const toolLagMs = loop.percentile(99) / 1e6;
      expect(result).toMatchObject({ planned: 120, sent: 120, ok: 120, failed: 0, skipped: 0 });
      expect(result.toolDelivery).toMatchObject({ rejected: 0, dropped: 0, failed: 0 });
      const toolSpans = Object.values(result.byRoute).reduce((n, r) => n + r.toolSpans, 0);

      // The gateway's writer and the SDK deliver asynchronously: wait for every event.
      const load = () => world.handle.db.select().from(events).where(eq(events.projectId, project.id));
      await waitFor(async () => (await load()).length >= 120 + toolSpans, 15_000);
      const rows = await load();
      expect(rows.filter((e) => e.kind === "llm")).toHaveLength(120);
      expect(rows.filter((e) => e.kind === "tool")).toHaveLength(toolSpans);
      // What it reports sending is what the gateway recorded, streamed or not.
      expect(new Set(result.requestIds)).toEqual(new Set(rows.filter((e) => e.kind === "llm").map((e) => e.id)));

      const measured = measureWorkload(rows, { latencyScale: SCALE });
      const manifest = WORKLOAD_MANIFESTS[variant];
      expect([...measured.keys()].sort()).toEqual(manifest.routes.map((r) => r.route).sort());
      for (const planted of manifest.routes) {
        const got = measured.get(planted.route)!;
        expect(got.requests / 120, planted.route).toBeCloseTo(planted.requestShare, 1);
        expect(result.byRoute[planted.route]!.requests).toBe(got.requests);
        expect(compareWithManifest(got, planted, { toolLagMs, latencyScale: SCALE })).toEqual([]);
      }

      // The LLM call of a research turn sits in the trace of its tool spans.
      const llmTraces = new Set(rows.filter((e) => e.kind === "llm" && e.traceId).map((e) => e.traceId));
      const toolTraces = new Set(rows.filter((e) => e.kind === "tool").map((e) => e.traceId));
      expect(toolTraces.size).toBe(result.byRoute.research!.traces);
      expect([...toolTraces].every((t) => llmTraces.has(t))).toBe(true);
    }, 120_000);
  }

  it("sends the same requests for the same seed, and other requests for another seed", async () => {
    const hashesOf = async (seed: number) => {
      const { project, key } = await projectWithKey(world.handle.db);
      const result = await runReferenceWorkload({ baseUrl: world.ingest.url, gatewayUrl: world.h.baseURL, apiKey: key, variant: "clean", seed, requests: 40, latencyScale: SCALE, arrivalsPerSec: 8 });
      expect(result.ok).toBe(40);
      const load = () => world.handle.db.select({ kind: events.kind, promptHash: events.promptHash, route: events.route }).from(events).where(eq(events.projectId, project.id));
      await waitFor(async () => (await load()).filter((e) => e.kind === "llm").length >= 40, 15_000);
      // Arrival order varies with timing; the set of requests (with multiplicity) may not.
      return (await load())
        .filter((e) => e.kind === "llm")
        .map((e) => `${e.route}:${e.promptHash}`)
        .sort();
    };
    const first = await hashesOf(21);
    expect(await hashesOf(21)).toEqual(first);
    expect(await hashesOf(22)).not.toEqual(first);
  }, 120_000);
});
