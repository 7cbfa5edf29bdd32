import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { buildHotRouter } from "../server/hot-routes";
import { projectWithKey } from "../auth/testing/project-with-key";
import { serveHandler } from "../http/testing/serve-handler";
import { waitFor, waitForEvents } from "./testing/gateway-harness";
import { gatewayUpstreamKind } from "./mount-gateway";

let handle: DbHandle;
let projectId: string;
let key: string;
let router: Awaited<ReturnType<typeof buildHotRouter>>;
let server: { url: string; close: () => Promise<void> };
const saved = { ...process.env };

beforeAll(async () => {
  delete process.env.ANTHROPIC_API_KEY;
  delete process.env.PITWALL_UPSTREAM_URL;
  process.env.PITWALL_SIMULATOR_LATENCY_SCALE = "0";
  process.env.PITWALL_SPOOL_DIR = `/tmp/pitwall-mount-test-${process.pid}`;
  handle = await createTestDb();
  ({ project: { id: projectId }, key } = await projectWithKey(handle.db));
  router = await buildHotRouter(handle);
  server = await serveHandler((req, res) => {
    const h = router.match(req.url);
    if (h) return h(req, res);
    res.writeHead(404).end();
  });
});
afterAll(async () => {
  await server?.close();
  await router?.close();
  await handle?.close();
  process.env = saved;
});

describe("the gateway mounted on the hot router", () => {
  it("serves /gateway with the in-process simulator as upstream and records the call", async () => {
    const client = new Anthropic({ baseURL: `${server.url}/gateway`, apiKey: key, maxRetries: 0 });
    const { data, response } = await client.messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "Hello there" }] }).withResponse();
    expect(data.type).toBe("message");
    const id = response.headers.get("x-pitwall-request-id")!;
    expect((await waitForEvents(handle, projectId, [id])).get(id)).toMatchObject({ status: "ok", model: "claude-haiku-4-5" });

    // The details of /api/health are for metrics:read keys (projectWithKey's key has every scope).
    const healthNow = async () => (await (await fetch(`${server.url}/api/health`, { headers: { authorization: `Bearer ${key}` } })).json()) as Record<string, unknown>;
    // On Postgres the writer reports from its worker thread after each batch: the counts can trail the stored row by a moment.
    let health = await healthNow();
    await waitFor(async () => ((health = await healthNow()).recording as { buffered?: number }).buffered === 0, 5_000).catch(() => {});
    expect(health.gateway).toMatchObject({ upstream: "simulator", recording: true });
    expect(health.recording).toMatchObject({ buffered: 0, spooled: 0, dropped: 0, written: 1 });
  });

  it("names the upstream kind without revealing it", () => {
    expect(gatewayUpstreamKind({})).toBe("simulator");
    expect(gatewayUpstreamKind({ ANTHROPIC_API_KEY: "sk-ant-x" })).toBe("anthropic");
    expect(gatewayUpstreamKind({ ANTHROPIC_API_KEY: "sk-ant-x", PITWALL_UPSTREAM_URL: "http://10.0.0.1" })).toBe("custom");
  });
});
