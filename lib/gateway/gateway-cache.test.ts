import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { responseCacheKey } from "../response-cache/cache-key";
import type { ResponseCache } from "../response-cache/response-cache";
import { FAULT_HEADER } from "../simulator";
import { startCachedGateway, type CachedGateway } from "./testing/cached-gateway";
import { waitFor, waitForEvents } from "./testing/gateway-harness";

const MODEL = "claude-haiku-4-5";
/** The anthropic-version these clients send (part of the cache key). */
const SDK_VERSION = "2023-06-01";
let gw: CachedGateway;
let handle: DbHandle, projectId: string, cache: ResponseCache, client: Anthropic;
let n = 0;

beforeAll(async () => {
  // Cache policy: route "faq" is cached for 5 minutes project-wide; route "per-user" per end user;
  // callers may set any TTL with x-pitwall-cache-ttl (gateway-cache-ttl.test.ts covers the default).
  const policy = {
    rules: [
      { id: "faq", match: { route: "faq" }, ttlSec: 300, scope: "project" as const },
      { id: "mine", match: { route: "per-user" }, ttlSec: 300, scope: "user" as const },
    ],
    clientTtl: "any" as const,
  };
  gw = await startCachedGateway(policy, { anthropicVersion: SDK_VERSION });
  ({ handle, projectId, cache, client } = gw);
});
afterAll(() => gw?.close());

/** A prompt no other test uses, so entries never leak between tests. */
function ask(extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}): Anthropic.MessageCreateParamsNonStreaming {
  return { model: MODEL, max_tokens: 200, messages: [{ role: "user", content: `Question number ${++n}: what is a cache?` }], ...extra };
}
/** The message as sent on the wire: the SDK's stream helper adds a client-side `parsed_output`. */
function wire(m: Anthropic.Message): Record<string, unknown> {
  const { parsed_output: _clientSide, ...rest } = m as Anthropic.Message & { parsed_output?: unknown };
  return rest;
}
/** Waits until the gateway has stored the answer to `req` (stores happen after the answer is sent). */
async function stored(req: object, userId: string | null = null): Promise<void> {
  const key = responseCacheKey(req as Record<string, unknown>, { projectId, userId, anthropicVersion: SDK_VERSION });
  await waitFor(async () => (await cache.get(key, projectId)) !== null, 5_000);
}
const ttl = (sec: number, more: Record<string, string> = {}) => ({ headers: { "x-pitwall-cache-ttl": String(sec), ...more } });

describe("response cache through the gateway", () => {
  it("answers an exact repeat from the cache with the identical message, recorded as a hit that cost nothing", async () => {
    const req = ask();
    const first = await client.messages.create(req, ttl(60)).withResponse();
    expect(first.response.headers.get("x-pitwall-cache")).toBe("MISS");
    await stored(req);
    const again = await client.messages.create(req, ttl(60)).withResponse();
    expect(again.response.headers.get("x-pitwall-cache")).toBe("HIT");
    expect(again.response.headers.get("x-pitwall-model")).toBe(MODEL);
    expect(again.data).toEqual(first.data);

    const [a, b] = [first, again].map((r) => r.response.headers.get("x-pitwall-request-id")!);
    const rows = await waitForEvents(handle, projectId, [a!, b!]);
    expect(rows.get(a!)).toMatchObject({ responseCache: "miss", status: "ok" });
    expect(rows.get(b!)).toMatchObject({ responseCache: "hit", status: "ok", inputTokens: 0, outputTokens: 0, costNanoUsd: 0n, model: MODEL });
    expect(rows.get(b!)!.metadata).toMatchObject({ savedUsage: { inputTokens: first.data.usage.input_tokens, outputTokens: first.data.usage.output_tokens } });
  });

  it("replays a cached answer as a valid SSE stream whose final message is identical", async () => {
    const req = ask();
    const original = await client.messages.create(req, ttl(60));
    await stored(req);
    const stream = client.messages.stream(req, ttl(60));
    const texts: string[] = [];
    stream.on("text", (t) => texts.push(t));
    const { response } = await stream.withResponse();
    const replayed = await stream.finalMessage();
    expect(response.headers.get("x-pitwall-cache")).toBe("HIT");
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(wire(replayed)).toEqual(wire(original));
    expect(texts.join("")).toBe((original.content[0] as Anthropic.TextBlock).text);
  });

  it("stores a streamed answer rebuilt from its events, so a streamed repeat and a JSON repeat both hit", async () => {
    const tools: Anthropic.Tool[] = [{ name: "lookup", description: "Look up", input_schema: { type: "object", properties: { q: { type: "string" } }, required: ["q"] } }];
    const req = ask({ tools, tool_choice: { type: "any" } });
    const streamed = await client.messages.stream(req, ttl(60)).finalMessage();
    expect(streamed.stop_reason).toBe("tool_use");
    await stored(req);
    const asJson = await client.messages.create(req, ttl(60)).withResponse();
    expect(asJson.response.headers.get("x-pitwall-cache")).toBe("HIT");
    expect(wire(asJson.data)).toEqual(wire(streamed));
    const again = await client.messages.stream(req, ttl(60)).finalMessage();
    expect(wire(again)).toEqual(wire(streamed));
  });

  it("Cache-Control: no-cache skips the read (BYPASS, a fresh answer) but stores it", async () => {
    const req = ask();
    const first = await client.messages.create(req, ttl(60));
    await stored(req);
    const fresh = await client.messages.create(req, ttl(60, { "cache-control": "no-cache" })).withResponse();
    expect(fresh.response.headers.get("x-pitwall-cache")).toBe("BYPASS");
    expect(fresh.data.id).not.toBe(first.id);
    const key = responseCacheKey(req as unknown as Record<string, unknown>, { projectId, anthropicVersion: SDK_VERSION });
    await waitFor(async () => (await cache.get(key, projectId))?.message.id === fresh.data.id, 5_000);
    const after = await client.messages.create(req, ttl(60));
    expect(after.id).toBe(fresh.data.id); // the no-cache answer replaced the older entry
    const id = fresh.response.headers.get("x-pitwall-request-id")!;
    expect((await waitForEvents(handle, projectId, [id])).get(id)).toMatchObject({ responseCache: "bypass" });
  });

  it("Cache-Control: no-store neither reads nor writes", async () => {
    const req = ask();
    const r1 = await client.messages.create(req, ttl(60, { "cache-control": "no-store" })).withResponse();
    expect(r1.response.headers.get("x-pitwall-cache")).toBe("BYPASS");
    await new Promise((r) => setTimeout(r, 100)); // time enough for a store, had there been one
    const r2 = await client.messages.create(req, ttl(60)).withResponse();
    expect(r2.response.headers.get("x-pitwall-cache")).toBe("MISS");
    expect(r2.data.id).not.toBe(r1.data.id);
  });

  it("without a TTL from the policy or the header nothing is cached", async () => {
    const req = ask();
    await client.messages.create(req);
    const again = await client.messages.create(req).withResponse();
    expect(again.response.headers.get("x-pitwall-cache")).toBe("BYPASS");
    const id = again.response.headers.get("x-pitwall-request-id")!;
    expect((await waitForEvents(handle, projectId, [id])).get(id)).toMatchObject({ responseCache: "none" });
  });

  it("follows the cache policy by route, and records its version", async () => {
    const req = ask();
    const route = { headers: { "x-pitwall-route": "faq" } };
    expect((await client.messages.create(req, route).withResponse()).response.headers.get("x-pitwall-cache")).toBe("MISS");
    await stored(req);
    const hit = await client.messages.create(req, route).withResponse();
    expect(hit.response.headers.get("x-pitwall-cache")).toBe("HIT");
    const id = hit.response.headers.get("x-pitwall-request-id")!;
    expect((await waitForEvents(handle, projectId, [id])).get(id)!.metadata).toMatchObject({ cachePolicyVersion: 1 });
  });

  it("a per-user scope shares entries only within one end user, and caches nothing without one", async () => {
    const route = { headers: { "x-pitwall-route": "per-user" } };
    const base = ask();
    const asUser = (user: string) => ({ ...base, metadata: { user_id: user } });
    expect((await client.messages.create(asUser("alice"), route).withResponse()).response.headers.get("x-pitwall-cache")).toBe("MISS");
    await stored(asUser("alice"), "alice");
    expect((await client.messages.create(asUser("alice"), route).withResponse()).response.headers.get("x-pitwall-cache")).toBe("HIT");
    expect((await client.messages.create(asUser("bob"), route).withResponse()).response.headers.get("x-pitwall-cache")).toBe("MISS");
    expect((await client.messages.create(base, route).withResponse()).response.headers.get("x-pitwall-cache")).toBe("BYPASS");
  });

  it("never stores a failed answer", async () => {
    const req = ask();
    await expect(client.messages.create(req, ttl(60, { [FAULT_HEADER]: "500" }))).rejects.toThrow();
    const stream = client.messages.stream(req, ttl(60, { [FAULT_HEADER]: "stream-error" }));
    await expect(stream.finalMessage()).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 100)); // time enough for a store, had there been one
    const next = await client.messages.create(req, ttl(60)).withResponse();
    expect(next.response.headers.get("x-pitwall-cache")).toBe("MISS");
  });

  it("keys on the request after routing: a different max_tokens or system prompt is a different entry", async () => {
    const req = ask();
    await client.messages.create(req, ttl(60));
    await stored(req);
    expect((await client.messages.create({ ...req, max_tokens: 199 }, ttl(60)).withResponse()).response.headers.get("x-pitwall-cache")).toBe("MISS");
    expect((await client.messages.create({ ...req, system: "Be kind." }, ttl(60)).withResponse()).response.headers.get("x-pitwall-cache")).toBe("MISS");
    expect((await client.messages.create(req, ttl(60)).withResponse()).response.headers.get("x-pitwall-cache")).toBe("HIT");
  });
});
