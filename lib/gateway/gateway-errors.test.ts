import Anthropic, {
  APIError,
  AuthenticationError,
  BadRequestError,
  ContentTooLargeError,
  GatewayTimeoutError,
  InternalServerError,
  NotFoundError,
  OverloadedError,
  PermissionDeniedError,
  RateLimitError,
} from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { FAULT_HEADER, SPEND_LIMIT_HEADER } from "../simulator";
import { projectWithKey } from "../auth/testing/project-with-key";
import { serveHandler } from "../http/testing/serve-handler";
import { createGateway } from "./gateway";
import { startHarness, waitForEvents, type Harness } from "./testing/gateway-harness";
import { resolveUpstream } from "./upstream";

const MODEL = "claude-haiku-4-5";
const request = { model: MODEL, max_tokens: 300, messages: [{ role: "user" as const, content: "Status report, please." }] };
let handle: DbHandle;
let projectId: string;
let key: string;
let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  handle = await createTestDb();
  ({ project: { id: projectId }, key } = await projectWithKey(handle.db));
  h = await startHarness(handle, key, { env: { PITWALL_UPSTREAM_TIMEOUT_MS: "400" } });
  client = h.client();
});
afterAll(async () => {
  await h?.close();
  await handle?.close();
});

const fault = (f: string) => ({ headers: { [FAULT_HEADER]: f } });
const failure = (p: Promise<unknown>) => p.then(() => new Error("expected a failure")).catch((e: unknown) => e);

/** The gateway request id of a failed call, read from the SDK error's headers. */
function gatewayId(err: unknown): string {
  return (err as APIError).headers!.get("x-pitwall-request-id")!;
}

describe("errors reach the SDK as its own error classes", () => {
  it("upstream 429 -> RateLimitError with retry-after, recorded as an error", async () => {
    const err = await failure(client.messages.create(request, fault("429")));
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).type).toBe("rate_limit_error");
    expect((err as RateLimitError).headers.get("retry-after")).toBe("1");
    expect((err as RateLimitError).requestID).toMatch(/^req_/);
    const id = gatewayId(err);
    const row = (await waitForEvents(handle, projectId, [id])).get(id)!;
    expect(row).toMatchObject({ status: "error", httpStatus: 429, errorType: "rate_limit_error", inputTokens: 0, outputTokens: 0 });
  });

  it("a spend-limit 429 keeps its error_code", async () => {
    const err = await failure(client.messages.create(request, { headers: { [SPEND_LIMIT_HEADER]: "1" } }));
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).errorCode).toBe("enforced_spend_limit_reached");
  });

  it("upstream 529 -> OverloadedError, 500 -> InternalServerError", async () => {
    const overloaded = await failure(client.messages.create(request, fault("529")));
    expect(overloaded).toBeInstanceOf(OverloadedError);
    expect((overloaded as APIError).type).toBe("overloaded_error");
    const internal = await failure(client.messages.create(request, fault("500")));
    expect(internal).toBeInstanceOf(InternalServerError);
    expect((internal as APIError).status).toBe(500);
  });

  it("upstream 400 (sampling parameters under anthropic-version 2026-10-21) -> BadRequestError", async () => {
    const err = await failure(client.messages.create({ ...request, temperature: 0.5 } as never));
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toMatch(/temperature/);
  });

  it("a streaming call that fails before the first byte raises the HTTP error", async () => {
    const err = await failure(client.messages.stream(request, fault("429")).finalMessage());
    expect(err).toBeInstanceOf(RateLimitError);
  });

  it("an error event mid-stream reaches the SDK as an APIError and the call is recorded as an error with tokens seen", async () => {
    const stream = client.messages.stream(request, fault("stream-error"));
    const texts: string[] = [];
    stream.on("text", (t) => texts.push(t));
    const { response } = await stream.withResponse();
    const err = await failure(stream.finalMessage());
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).type).toBe("overloaded_error");
    expect(texts.length).toBeGreaterThan(0);
    const id = response.headers.get("x-pitwall-request-id")!;
    const row = (await waitForEvents(handle, projectId, [id])).get(id)!;
    expect(row).toMatchObject({ status: "error", errorType: "overloaded_error", streamed: true, httpStatus: 200 });
    expect(row.inputTokens).toBeGreaterThan(0);
  });

  it("an unknown key -> AuthenticationError in Anthropic's shape", async () => {
    const stranger = new Anthropic({ baseURL: h.baseURL, apiKey: `pw_sk_${"A".repeat(40)}`, maxRetries: 0 });
    const err = await failure(stranger.messages.create(request));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).type).toBe("authentication_error");
    expect((err as AuthenticationError).requestID).toMatch(/^gw_/);
    const noKey = await fetch(`${h.baseURL}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ type: "error", error: { type: "authentication_error" }, request_id: expect.stringMatching(/^gw_/) });
  });

  it("a key without the gateway scope -> PermissionDeniedError", async () => {
    const ingestOnly = await projectWithKey(handle.db, ["ingest"]);
    const err = await failure(new Anthropic({ baseURL: h.baseURL, apiKey: ingestOnly.key, maxRetries: 0 }).messages.create(request));
    expect(err).toBeInstanceOf(PermissionDeniedError);
  });

  it("an unknown path -> NotFoundError; a bad body -> BadRequestError", async () => {
    const res = await fetch(`${h.baseURL}/v1/models`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: "{}" });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    const notFound = await failure(new Anthropic({ baseURL: `${h.baseURL}/nope`, apiKey: key, maxRetries: 0 }).messages.create(request));
    expect(notFound).toBeInstanceOf(NotFoundError);
    const bad = await failure(client.messages.create({ model: MODEL, max_tokens: 10 } as never));
    expect(bad).toBeInstanceOf(BadRequestError);
    expect((bad as BadRequestError).message).toMatch(/messages/);
  });

  it("a body nested thousands of levels deep is a 400, and the gateway keeps serving", async () => {
    const deep = "[".repeat(5000) + "]".repeat(5000);
    const res = await fetch(`${h.baseURL}/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: `{"model":"${MODEL}","max_tokens":10,"messages":[{"role":"user","content":${deep}}]}`,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringMatching(/nests deeper/) } });
    expect((await client.messages.create(request)).content.length).toBeGreaterThan(0);
  });

  it("a stalled upstream -> GatewayTimeoutError (504) after the configured wait", async () => {
    const started = Date.now();
    const err = await failure(client.messages.create(request, fault("stall")));
    expect(err).toBeInstanceOf(GatewayTimeoutError);
    expect((err as APIError).type).toBe("timeout_error");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("an unreachable upstream -> 502 InternalServerError; a too-large body -> ContentTooLargeError", async () => {
    const gw = createGateway({ getDb: () => handle.db, upstream: resolveUpstream({ PITWALL_UPSTREAM_URL: "http://127.0.0.1:9" }), maxBodyBytes: 2_000 });
    const served = await serveHandler(gw.handler);
    try {
      const c = new Anthropic({ baseURL: `${served.url}/gateway`, apiKey: key, maxRetries: 0 });
      const down = await failure(c.messages.create(request));
      expect(down).toBeInstanceOf(InternalServerError);
      expect((down as APIError).status).toBe(502);
      expect((down as APIError).message).toMatch(/could not be reached/);
      const big = await failure(c.messages.create({ ...request, messages: [{ role: "user", content: "x".repeat(5_000) }] }));
      expect(big).toBeInstanceOf(ContentTooLargeError);
      expect((big as APIError).type).toBe("request_too_large");
    } finally {
      await served.close();
      await gw.close();
    }
  });

  it("forwards x-simulator-* only when the upstream is the simulator, never to a keyed upstream", async () => {
    const keyed = await startHarness(handle, key, { env: { ANTHROPIC_API_KEY: "sk-ant-test-provider-key-000" } });
    try {
      const ok = await keyed.client().messages.create(request, fault("529"));
      expect(ok.type).toBe("message");
    } finally {
      await keyed.close();
    }
  });
});
