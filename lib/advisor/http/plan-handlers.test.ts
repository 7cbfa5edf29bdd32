import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { advisorPredictions, policyVersions } from "@/db/schema";
import { projectWithKey } from "../../auth/testing/project-with-key";
import { signedInUser } from "../../auth/testing/sessions";
import { webHandler } from "../../http/web-handler";
import { getActiveVersions, listAudit } from "../../policies/policy-queries";
import { getVersionPrediction, postApplyPhase } from "./plan-handlers";

let handle: DbHandle;
let slug: string;
let projectId: string;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  handle = await createTestDb();
  const { project } = await projectWithKey(handle.db);
  slug = project.slug;
  projectId = project.id;
  for (const role of ["viewer", "editor"] as const) cookies[role] = (await signedInUser(handle.db, { projectId, role, email: `${role}@example.test` })).cookie;
}, 60_000);
afterAll(async () => handle?.close());

const figures = (latency: number) => ({
  requests: 100, latencyMeanMs: latency, latencyP50Ms: latency, latencyP95Ms: latency * 2, ttftP50Ms: null, ttftP95Ms: null, perceivedP50Ms: latency,
  perceivedP95Ms: latency * 2, costPerRequestUsd: 0.01, responseCacheHitRate: 0.3, promptCacheHitRate: 0, throughputPerMin: 60_000 / latency, unpricedRequests: 0, unpricedModels: [],
});
const body = (document: unknown) => ({
  phase: "response_cache", title: "Cache exact repeats", kind: "cache", document,
  finding: { kind: "response_cache", routes: ["faq"], title: "30% of faq repeats" },
  predicted: figures(500), baseline: figures(1000), backtestError: { latencyP50Ms: 0.01, latencyP95Ms: 0.01, ttftP95Ms: null, perceivedP95Ms: 0.02, costPerRequestUsd: 0, responseCacheHitRate: 0, promptCacheHitRate: null },
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(fn: typeof postApplyPhase, role: string, init: { method: string; body?: unknown; query?: string }): Promise<{ status: number; json: any }> {
  const req = new Request(`http://localhost/api/v1/advisor/x?project=${slug}${init.query ?? ""}`, {
    method: init.method,
    headers: { cookie: cookies[role]!, origin: "http://localhost", "content-type": "application/json" },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const res = await webHandler((r) => fn(handle.db, r))(req, undefined);
  return { status: res.status, json: await res.json() };
}
const versions = async () => (await handle.db.select({ n: count() }).from(policyVersions).where(eq(policyVersions.projectId, projectId)))[0]!.n;
const predictions = async () => (await handle.db.select({ n: count() }).from(advisorPredictions).where(eq(advisorPredictions.projectId, projectId)))[0]!.n;

describe("Apply phase", () => {
  it("refuses a viewer with 403 and writes nothing", async () => {
    const res = await call(postApplyPhase, "viewer", { method: "POST", body: body({ rules: [], default: { ttlSec: 600 } }) });
    expect(res.status).toBe(403);
    expect(await versions()).toBe(0);
  });

  it("refuses a document the policy schema rejects, naming the field, with nothing half-written", async () => {
    const res = await call(postApplyPhase, "editor", { method: "POST", body: body({ default: { ttlSec: "soon" } }) });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json.error.details.issues)).toMatch(/default\.ttlSec/);
    expect(await versions()).toBe(0);
    expect(await predictions()).toBe(0);
  });

  it("saves a draft version (not live) with the finding linked in its message and the prediction stored", async () => {
    const res = await call(postApplyPhase, "editor", { method: "POST", body: body({ rules: [{ id: "advisor-cache-faq", match: { route: "faq" }, ttlSec: 600 }] }) });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ kind: "cache", version: 1, live: false, editorUrl: `/p/${slug}/policies?kind=cache&draft=1` });
    expect(res.json.comment).toContain(`/p/${slug}/advisor#finding-response_cache`);
    expect(await getActiveVersions(handle.db, projectId)).toEqual([]);
    expect((await listAudit(handle.db, { projectId }))[0]).toMatchObject({ action: "save_draft", live: false, version: 1 });
    const got = await call(getVersionPrediction, "viewer", { method: "GET", query: "&kind=cache&version=1" });
    expect(got.json.prediction).toMatchObject({ phase: "response_cache", predicted: { latencyP50Ms: 500 }, baseline: { latencyP50Ms: 1000 } });
    expect((await call(getVersionPrediction, "viewer", { method: "GET", query: "&kind=routing&version=1" })).json.prediction).toBeNull();
  });
});
