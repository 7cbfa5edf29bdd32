import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { apiKeys, events } from "@/db/schema";
import { createTestDb } from "@/db/test-db";
import { projectWithKey } from "../../auth/testing/project-with-key";
import { signedInUser, type TestUser } from "../../auth/testing/sessions";
import { serveHandler } from "../../http/testing/serve-handler";
import { serveHotRouter } from "../../server/testing/serve-hot-router";
import { ReferenceRuns, type ReferenceRunStatus } from "../reference/reference-runs";
import { createReferenceRunHandler, REFERENCE_RUN_PATH } from "./reference-handler";

let handle: DbHandle;
let project: { id: string; slug: string };
let admin: TestUser;
let viewer: TestUser;
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  handle = await createTestDb();
  ({ project } = await projectWithKey(handle.db));
  admin = await signedInUser(handle.db, { projectId: project.id, role: "admin" });
  viewer = await signedInUser(handle.db, { projectId: project.id, role: "viewer" });
  // The in-process simulator at 1/50 of real time; the workload compresses its tools alike.
  server = await serveHotRouter(handle, { latencyScale: 0.02, spoolDir: `/tmp/pitwall-reference-test-${process.pid}` });
});
afterAll(async () => {
  await server?.close();
  await handle?.close();
});

function call(method: string, user: TestUser, body?: unknown, base = server.url) {
  return fetch(`${base}${REFERENCE_RUN_PATH}?project=${project.slug}`, {
    method,
    headers: { cookie: user.cookie, origin: base, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe("the settings page's reference workload", () => {
  it("runs through the server's own gateway with a temporary key, one run at a time, and records it", async () => {
    const started = await call("POST", admin, { variant: "reference", requests: 40, seed: 5 });
    expect(started.status).toBe(202);
    expect(((await started.json()) as { run: ReferenceRunStatus }).run).toMatchObject({ state: "running", variant: "reference", planned: 40 });
    const again = await call("POST", admin, { requests: 40 });
    expect(again.status).toBe(409);

    let run: ReferenceRunStatus | null = null;
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const res = await call("GET", viewer);
      expect(res.status).toBe(200);
      run = ((await res.json()) as { run: ReferenceRunStatus }).run;
      if (run.state !== "running") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(run).toMatchObject({ state: "done", done: 40, result: { sent: 40, ok: 40, failed: 0 } });
    expect(run!.result!.byRoute["research"]).toMatchObject({ requests: 10, toolSpans: 50 });

    // 40 LLM calls from the gateway, 50 tool spans from the SDK (5 per research turn).
    await expect.poll(async () => (await handle.db.select({ kind: events.kind }).from(events).where(eq(events.projectId, project.id))).length, { timeout: 10_000 }).toBe(90);
    // The run's key is revoked once it ends.
    await expect
      .poll(async () => (await handle.db.select().from(apiKeys).where(and(eq(apiKeys.projectId, project.id), eq(apiKeys.name, "reference workload (temporary)"))))[0]?.revokedAt, { timeout: 5_000 })
      .toBeInstanceOf(Date);
  }, 120_000);

  it("lets only admins start one, and refuses a bad body naming the field", async () => {
    expect((await call("POST", viewer, { requests: 40 })).status).toBe(403);
    const bad = await call("POST", admin, { requests: 5 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/requests/);
    expect((await call("POST", admin, { variant: "noisy" })).status).toBe(400);
  });

  it("never runs against a real provider", async () => {
    const realUpstream = createReferenceRunHandler({ getDb: () => handle.db, runs: new ReferenceRuns(), upstreamIsSimulator: false, simulatorLatencyScale: 1 });
    const other = await serveHandler(realUpstream);
    try {
      const res = await fetch(`${other.url}${REFERENCE_RUN_PATH}?project=${project.slug}`, {
        method: "POST",
        headers: { cookie: admin.cookie, origin: other.url, "content-type": "application/json" },
        body: "{}",
      });
      expect(res.status).toBe(409);
      expect(JSON.stringify(await res.json())).toMatch(/simulated upstream/);
    } finally {
      await other.close();
    }
  });
});
