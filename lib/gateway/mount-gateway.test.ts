import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { projectWithKey } from "../auth/testing/project-with-key";
import { serveHotRouter } from "../server/testing/serve-hot-router";
import { waitFor, waitForEvents } from "./testing/gateway-harness";
import { gatewayUpstreamKind } from "./mount-gateway";

let handle: DbHandle;
let projectId: string;
let key: string;
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  handle = await createTestDb();
  ({ project: { id: projectId }, key } = await projectWithKey(handle.db));
  server = await serveHotRouter(handle, { latencyScale: 0, spoolDir: `/tmp/pitwall-mount-test-${process.pid}` });
});
afterAll(async () => {
  await server?.close();
  await handle?.close();
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
