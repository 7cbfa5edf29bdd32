import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { events } from "@/db/schema";
import { createTestDb } from "@/db/test-db";
import { startHarness, type Harness } from "../gateway/testing/gateway-harness";
import { LruResponseCache } from "../response-cache";
import { ensureDemoCachePolicy } from "./demo-cache-policy";
import { ensureDemoKey } from "./demo-key";
import { startDemoTraffic } from "./demo-traffic";

let handle: DbHandle;
let harness: Harness;
let dir: string;
let projectId: string;
let apiKey: string;

beforeAll(async () => {
  handle = await createTestDb();
  dir = await mkdtemp(path.join(os.tmpdir(), "pitwall-demo-gw-"));
  ({ apiKey, projectId } = await ensureDemoKey(handle.db, { file: path.join(dir, "demo-api-key") }));
  // As the server's demo start does: the agents' x-pitwall-cache-ttl needs the policy's leave.
  await ensureDemoCachePolicy(handle.db, projectId);
  harness = await startHarness(handle, apiKey, { responseCache: new LruResponseCache() });
});
afterAll(async () => {
  await harness?.close();
  await handle?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("demo traffic through the gateway", () => {
  it("fills the demo project with calls on three routes, sessions, cache hits and some errors", async () => {
    // Run until 30 calls have succeeded, not for a fixed wall-clock window: on a loaded CI machine a
    // 3 s window finished too few calls to say anything. The deadline only bounds a broken run.
    const demo = startDemoTraffic({ baseUrl: harness.baseURL, apiKey, rate: 40, seed: 2024, concurrency: 8 });
    const runUntil = Date.now() + 20_000;
    while (demo.stats.ok <= 30 && Date.now() < runUntil) await new Promise((r) => setTimeout(r, 50));
    await demo.stop();
    expect(demo.stats.ok).toBeGreaterThan(30);

    // The writer is asynchronous: wait until every finished call is stored.
    const expected = demo.stats.ok + demo.stats.failed;
    const deadline = Date.now() + 10_000;
    let rows = await handle.db.select().from(events).where(eq(events.projectId, projectId));
    while (rows.length < expected && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      rows = await handle.db.select().from(events).where(eq(events.projectId, projectId));
    }
    expect(rows.length).toBeGreaterThanOrEqual(expected);
    expect(new Set(rows.map((r) => r.route))).toEqual(new Set(["support-answer", "code-review", "research-planner"]));
    expect(new Set(rows.map((r) => r.agent))).toEqual(new Set(["support-bot", "review-bot", "research-agent"]));
    expect(rows.every((r) => r.sessionId?.startsWith("demo-"))).toBe(true);
    expect(rows.some((r) => r.responseCache === "hit")).toBe(true);
    expect(rows.some((r) => r.cacheReadTokens > 0)).toBe(true);
    // The review agent's style guide is cached for 1h. On streams the split by TTL arrives only in
    // message_start (message_delta carries the total), so this also checks the gateway keeps it.
    expect(rows.some((r) => r.cacheWrite1hTokens > 0)).toBe(true);
    expect(rows.some((r) => r.status === "error")).toBe(true);
    expect(rows.filter((r) => r.status === "ok").length).toBeGreaterThan(rows.length * 0.8);
  });
});
