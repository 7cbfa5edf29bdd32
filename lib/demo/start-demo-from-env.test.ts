import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { createSimulator } from "../simulator/handler";
import { serveHandler } from "../http/testing/serve-handler";
import { startDemoTrafficFromEnv } from "./start-demo-from-env";

let handle: DbHandle;
let dir: string;
const simulator = createSimulator({ latencyScale: 0 });
const seen: { url: string; authorization: string | undefined }[] = [];
let sim: { url: string; port: number; close: () => Promise<void> };

beforeAll(async () => {
  handle = await createTestDb();
  dir = await mkdtemp(path.join(os.tmpdir(), "pitwall-demo-env-"));
  // The simulator answers any path ending in /v1/messages; the recorder shows which one was called.
  const served = await serveHandler((req, res) => {
    seen.push({ url: req.url ?? "", authorization: req.headers.authorization });
    return simulator(req, res);
  });
  sim = { ...served, port: Number(new URL(served.url).port) };
});
afterAll(async () => {
  simulator.close();
  await sim.close();
  await handle.close();
  await rm(dir, { recursive: true, force: true });
});

describe("startDemoTrafficFromEnv", () => {
  it("stays off unless PITWALL_DEMO_TRAFFIC=1, and on a bad value", async () => {
    const keyFile = path.join(dir, "off-key");
    expect(await startDemoTrafficFromEnv(handle.db, sim.port, {}, { keyFile })).toBeUndefined();
    expect(await startDemoTrafficFromEnv(handle.db, sim.port, { PITWALL_DEMO_TRAFFIC: "0" }, { keyFile })).toBeUndefined();
    expect(await startDemoTrafficFromEnv(handle.db, sim.port, { PITWALL_DEMO_TRAFFIC: "yes please" }, { keyFile })).toBeUndefined();
    expect(await startDemoTrafficFromEnv(handle.db, sim.port, { PITWALL_DEMO_TRAFFIC: "1", PITWALL_DEMO_RATE: "-3" }, { keyFile })).toBeUndefined();
    await expect(readFile(keyFile)).rejects.toThrow();
  });

  it("with PITWALL_DEMO_TRAFFIC=1 creates the demo key and calls this server's /gateway", async () => {
    const keyFile = path.join(dir, "on-key");
    const demo = await startDemoTrafficFromEnv(handle.db, sim.port, { PITWALL_DEMO_TRAFFIC: "1", PITWALL_DEMO_RATE: "20" }, { keyFile, startDelayMs: 0 });
    expect(demo).toBeDefined();
    const deadline = Date.now() + 5_000;
    while (demo!.stats.ok < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await demo!.stop();
    const apiKey = (await readFile(keyFile, "utf8")).trim();
    expect(apiKey).toMatch(/^pw_sk_/);
    expect(demo!.stats.ok).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (const call of seen) {
      expect(call.url).toBe("/gateway/v1/messages");
      expect(call.authorization).toBe(`Bearer ${apiKey}`);
    }
  });
});
