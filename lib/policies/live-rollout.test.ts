import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { signedInUser } from "../auth/testing/sessions";
import { startAppProcess } from "../server/testing/app-process";
import { projectWithKey } from "../auth/testing/project-with-key";
import { getActivePolicies } from "./active-policies";
import { saveVersion } from "./policy-queries";

// Two app processes need a shared server: Postgres only. On PGlite there is one process, and a
// save invalidates that process's cache directly (the last test below).
const onPostgres = Boolean(process.env.DATABASE_URL);

let handle: DbHandle & { url?: string };
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

describe.skipIf(!onPostgres)("live rollout across processes (LISTEN/NOTIFY)", () => {
  const apps: { url: string; stop: () => Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
  });

  it("serves a save made through process A from process B within 1 s, with B's polling off", { timeout: 90_000 }, async () => {
    const { project, key } = await projectWithKey(handle.db);
    const editor = await signedInUser(handle.db, { projectId: project.id, role: "editor" });
    // B polls once a minute: only the NOTIFY can bring the change in time.
    // The simulated upstream answers at once, so the time measured is the rollout's.
    const instant = { PITWALL_SIMULATOR_LATENCY_SCALE: "0" };
    const [a, b] = await Promise.all([startAppProcess(handle.url!, instant), startAppProcess(handle.url!, { ...instant, PITWALL_POLICY_POLL_MS: "60000" })]);
    apps.push(a!, b!);
    const ask = async () => {
      const res = await fetch(`${b!.url}/gateway/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01", "x-pitwall-route": "support" },
        body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { model: string }).model;
    };
    // B has the (empty) policy cached: pass-through.
    expect(await ask()).toBe("claude-sonnet-4-5");

    const put = await fetch(`${a!.url}/api/v1/policies/routing?project=${project.slug}`, {
      method: "PUT",
      headers: { cookie: editor.cookie, origin: a!.url, "content-type": "application/json", "if-match": '"0"' },
      body: JSON.stringify({ document: { rules: [{ id: "support-fast", match: { route: "support" }, action: { model: "claude-haiku-4-5" } }] } }),
    });
    expect(put.status).toBe(200);
    // The save is committed when A answers; the lag runs from there to B serving it.
    const committed = performance.now();
    let model = await ask();
    while (model !== "claude-haiku-4-5" && performance.now() - committed < 3000) {
      await new Promise((r) => setTimeout(r, 25));
      model = await ask();
    }
    const lag = performance.now() - committed;
    expect(model).toBe("claude-haiku-4-5");
    expect(lag).toBeLessThan(1000);
  });
});

describe("live rollout in one process", () => {
  it("applies a save at once in the saving process (PGlite's only process)", async () => {
    const { project } = await projectWithKey(handle.db);
    expect((await getActivePolicies(handle.db, project.id)).routingVersion).toBe(0);
    await saveVersion(handle.db, { projectId: project.id, kind: "routing", document: { rules: [{ id: "r", action: { model: "claude-haiku-4-5" } }] } });
    const live = await getActivePolicies(handle.db, project.id);
    expect(live.routingVersion).toBe(1);
    expect(live.routing.rules[0]!.action.model).toBe("claude-haiku-4-5");
  });
});
