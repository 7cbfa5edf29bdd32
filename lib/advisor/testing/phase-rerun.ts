import { and, count, eq } from "drizzle-orm";
import type { DbHandle } from "@/db/client";
import { events } from "@/db/schema";
import { projectWithKey } from "../../auth/testing/project-with-key";
import { REFERENCE_MANIFEST, runReferenceWorkload, type WorkloadOptions } from "../../demo/reference";
import { startHarness, waitFor } from "../../gateway/testing/gateway-harness";
import { serveHandler } from "../../http/testing/serve-handler";
import { createIngestHandler } from "../../ingestion/http-handler";
import { EMPTY_POLICIES } from "../../policies/policy-document";
import { saveVersion } from "../../policies/policy-queries";
import { getPriceBook } from "../../pricing/price-queries";
import { LruResponseCache } from "../../response-cache/lru-response-cache";
import { DEFAULT_LATENCY_PROFILES } from "../../simulator/latency-profiles";
import type { Finding } from "../finding-schema";
import { analyzeFindings } from "../findings/analyze-findings";
import { buildPhases } from "../plan-phases";
import { projectPlan } from "../plan-project";
import type { PlanAnswer } from "../plan-schema";
import type { Figures } from "../replay/replay-schema";
import { runReplay } from "../replay/run-replay";
import type { ReplayPolicies } from "../replay/simulate";
import { loadTraffic } from "../traffic-load";
import type { Traffic } from "../traffic";
import { finding } from "./findings";

/**
 * Test and bench helper: runs the reference workload through a real gateway (simulator upstream,
 * response cache, event writer) into a fresh project under given policies and client options,
 * and loads what it recorded. A fresh simulator per run: its prompt cache must start cold.
 */
export type RunSettings = {
  seed: number;
  requests: number;
  latencyScale: number;
  concurrency?: number;
  arrivalsPerSec?: number;
  /** The simulator without per-call noise (sigma 0, no speed jitter): a rerun differs from the baseline only by what the phase changed. */
  quiet?: boolean;
};

const QUIET_PROFILES = Object.fromEntries(Object.entries(DEFAULT_LATENCY_PROFILES).map(([k, p]) => [k, { ...p, ttftSigma: 0, speedJitter: 0 }]));

export async function recordRun(handle: DbHandle, settings: RunSettings, policies: ReplayPolicies, options: WorkloadOptions = {}): Promise<{ traffic: Traffic; projectId: string; wallMs: number }> {
  const { project, key } = await projectWithKey(handle.db);
  for (const kind of ["routing", "cache"] as const) {
    if (JSON.stringify(policies[kind]) !== JSON.stringify(EMPTY_POLICIES[kind])) await saveVersion(handle.db, { projectId: project.id, kind, document: policies[kind], createdBy: "bench" });
  }
  const h = await startHarness(handle, key, { sim: { latencyScale: settings.latencyScale, ...(settings.quiet ? { profiles: QUIET_PROFILES } : {}) }, responseCache: new LruResponseCache() });
  const ingest = await serveHandler(createIngestHandler(() => handle.db));
  try {
    const result = await runReferenceWorkload({
      baseUrl: ingest.url,
      gatewayUrl: h.baseURL,
      apiKey: key,
      variant: "reference",
      seed: settings.seed,
      requests: settings.requests,
      concurrency: settings.concurrency ?? 16,
      latencyScale: settings.latencyScale,
      arrivalsPerSec: settings.arrivalsPerSec ?? 4,
      options,
    });
    const llm = async () => Number((await handle.db.select({ n: count() }).from(events).where(and(eq(events.projectId, project.id), eq(events.kind, "llm"))))[0]!.n);
    await waitFor(async () => (await llm()) >= result.sent, 30_000);
    const traffic = await loadTraffic(handle.db, { projectId: project.id, from: new Date(Date.parse(result.startedAt) - 1000), to: new Date(Date.parse(result.endedAt) + 60_000) });
    return { traffic, projectId: project.id, wallMs: result.wallMs };
  } finally {
    await ingest.close();
    await h.close();
  }
}

/**
 * The findings the reference manifest plants, with the details the plan reads. Used where the
 * prediction-vs-measurement check must not depend on the findings engine (its own tests check it).
 */
export function manifestFindings(): Finding[] {
  return REFERENCE_MANIFEST.routes.flatMap((r) =>
    r.planted.map((kind) => {
      const details: Record<string, unknown> =
        kind === "response_cache" ? { recommendedTtlSec: 3600 } : kind === "prompt_caching" ? { recommendedTtl: "5m" } : kind === "model_right_sizing" ? { candidateModel: r.rightSizedModel } : kind === "context_growth" ? { windowTurns: 4 } : {};
      return finding(kind, r.route, details);
    }),
  );
}

export type PhaseCheck = { phase: string; predicted: Figures | null; measured: Figures; backtestOfRerun: number | null };

/**
 * The acceptance loop: record the baseline, project the plan, then for each phase apply its
 * cumulative policies (and the code options of the workload) to a rerun of the same seeded
 * workload, and measure. parallelTools is the sequential-tools phase's client change.
 */
export async function rerunPhases(handle: DbHandle, settings: RunSettings, source: "manifest" | "engine" = "manifest"): Promise<{ plan: PlanAnswer; baseline: Traffic; checks: PhaseCheck[]; findings: Finding[] }> {
  const live: ReplayPolicies = { routing: EMPTY_POLICIES.routing, cache: EMPTY_POLICIES.cache };
  const base = await recordRun(handle, settings, live);
  const prices = await getPriceBook(handle.db, base.projectId);
  // "engine": the findings lib/advisor/findings reports on the baseline, as the page would plan from.
  const findings = source === "engine" ? analyzeFindings(base.traffic, { prices, projectSlug: "bench" }).findings : manifestFindings();
  const plan = await projectPlan({ traffic: base.traffic, findings, live, prices });
  const drafts = buildPhases(findings, live);
  const checks: PhaseCheck[] = [];
  for (const [k, d] of drafts.entries()) {
    const ids = drafts.slice(0, k + 1).map((p) => p.id);
    const options: WorkloadOptions = {
      ...(d.codeChanges.stream ? { stream: true } : {}),
      ...(d.codeChanges.contextWindowTurns !== undefined ? { contextWindowTurns: d.codeChanges.contextWindowTurns } : {}),
      ...(ids.includes("sequential_tools") ? { parallelTools: true } : {}),
    };
    const rerun = await recordRun(handle, settings, d.policies, options);
    const rerunPrices = await getPriceBook(handle.db, rerun.projectId);
    const measured = await runReplay({ traffic: rerun.traffic, live: d.policies, candidate: d.policies, prices: rerunPrices });
    checks.push({ phase: d.id, predicted: plan.phases[k]!.projection, measured: measured.overall.measured, backtestOfRerun: measured.overall.backtestError?.latencyP95Ms ?? null });
  }
  return { plan, baseline: base.traffic, checks, findings };
}

/** |predicted − measured| / measured, or null when either is unknown. */
export function relativeGap(predicted: number | null | undefined, measured: number | null | undefined): number | null {
  if (predicted === null || predicted === undefined || measured === null || measured === undefined || measured === 0) return null;
  return Math.abs(predicted - measured) / Math.abs(measured);
}
