import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { buildHotRouter } from "../server/hot-routes";
import { serveHandler } from "../http/testing/serve-handler";
import { simulatorBaseUrl } from "./server";

let handle: DbHandle;
let router: Awaited<ReturnType<typeof buildHotRouter>>;
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  handle = await createTestDb();
  router = await buildHotRouter(handle);
  server = await serveHandler((req, res) => {
    const handler = router.match(req.url);
    if (handler) return handler(req, res);
    res.writeHead(404).end();
  });
});
afterAll(async () => {
  await server.close();
  await router.close();
  await handle.close();
});

describe("the in-process simulator", () => {
  it("answers the SDK at simulatorBaseUrl(port), the server's /_sim prefix", async () => {
    const port = Number(new URL(server.url).port);
    const client = new Anthropic({ baseURL: simulatorBaseUrl(port), apiKey: "k", maxRetries: 0 });
    const counted = await client.messages.countTokens({ model: "claude-haiku-4-5", messages: [{ role: "user", content: "hello" }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
    const res = await fetch(`${server.url}/_sim/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(401);
  });
});
