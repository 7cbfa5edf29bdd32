import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { events } from "@/db/schema";
import { projectWithKey } from "../../auth/testing/project-with-key";
import { WORKLOAD_MANIFESTS, WORKLOAD_VARIANTS, type RouteManifest } from "../../demo/reference/manifest";
import { runReferenceWorkload } from "../../demo/reference/run-workload";
import { referenceWorldForFile } from "../../demo/reference/testing/reference-world";
import { waitFor } from "../../gateway/testing/gateway-harness";
import { getPriceBook } from "../../pricing/price-queries";
import type { Finding } from "../finding-schema";
import { loadTraffic } from "../traffic-load";
import { analyzeFindings } from "./analyze-findings";

/** The reference workload run through the gateway, then analysed: the acceptance check of the findings. */
const SCALE = 0.1;
const REQUESTS = 320;

const world = referenceWorldForFile(SCALE);

function plantedRate(kind: Finding["kind"], r: RouteManifest): number {
  const rates: Record<Finding["kind"], number> = {
    response_cache: r.repeatShare,
    prompt_caching: r.uncachedSystemShare,
    streaming: 1 - r.streamedShare,
    sequential_tools: r.toolsSequential ? 1 : 0,
    context_growth: 1,
    model_right_sizing: r.shortSimpleShare,
    batch: r.interactive ? 0 : 1,
  };
  return rates[kind];
}

describe("findings on the reference workload", () => {
  for (const variant of WORKLOAD_VARIANTS) {
    it(`finds exactly the ${variant} manifest's planted findings, each rate within 10%`, async () => {
      const { project, key } = await projectWithKey(world.handle.db);
      const started = new Date(Date.now() - 1000);
      const result = await runReferenceWorkload({ baseUrl: world.ingest.url, gatewayUrl: world.h.baseURL, apiKey: key, variant, seed: 7, requests: REQUESTS, concurrency: 32, latencyScale: SCALE, arrivalsPerSec: 40 });
      expect(result.ok).toBe(REQUESTS);
      const toolSpans = Object.values(result.byRoute).reduce((n, r) => n + r.toolSpans, 0);
      const count = async () => (await world.handle.db.select({ id: events.id }).from(events).where(eq(events.projectId, project.id))).length;
      await waitFor(async () => (await count()) >= REQUESTS + toolSpans, 20_000);
      const traffic = await loadTraffic(world.handle.db, { projectId: project.id, from: started, to: new Date(Date.now() + 1000) });
      const answer = analyzeFindings(traffic, { prices: await getPriceBook(world.handle.db, project.id), projectSlug: project.slug });
      const manifest = WORKLOAD_MANIFESTS[variant];
      expect(answer.skipped).toEqual([]);
      for (const r of manifest.routes) {
        const found = answer.findings.filter((f) => f.route === r.route);
        expect([r.route, found.map((f) => f.kind).sort()]).toEqual([r.route, [...r.planted].sort()]);
        for (const f of found) {
          const want = plantedRate(f.kind, r);
          expect(Math.abs(f.evidence.rate - want), `${r.route} ${f.kind}`).toBeLessThanOrEqual(0.1 * want);
        }
      }
    }, 180_000);
  }
});
