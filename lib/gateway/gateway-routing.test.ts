import http from "node:http";
import Anthropic, { RateLimitError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { invalidateActivePolicies } from "../policies/active-policies";
import { saveVersion } from "../policies/policy-queries";
import { SPEND_LIMIT_HEADER } from "../simulator";
import { projectWithKey } from "../auth/testing/project-with-key";
import { serveHandler } from "../http/testing/serve-handler";
import { createGateway } from "./gateway";
import { startHarness, waitForEvents, type Harness } from "./testing/gateway-harness";
import { resolveUpstream } from "./upstream";

let handle: DbHandle;
let projectId: string;
let h: Harness;
let client: Anthropic;

const SONNET = "claude-sonnet-4-6";
const HAIKU = "claude-haiku-4-5";
const OPUS = "claude-opus-4-6";
const FLAKY = "claude-3-5-haiku";

beforeAll(async () => {
  handle = await createTestDb();
  const p = await projectWithKey(handle.db);
  projectId = p.project.id;
  // Opus always answers 529 and claude-3-5-haiku always 429 (retry-after: 1 s) on this simulator.
  h = await startHarness(handle, p.key, { sim: { faultRates: { "claude-opus": { "529": 1 }, [FLAKY]: { "429": 1 } } } });
  client = h.client();
  await saveVersion(handle.db, {
    projectId,
    kind: "routing",
    document: {
      rules: [
        { id: "cheap", match: { route: "cheap" }, action: { model: HAIKU } },
        { id: "fallback", match: { route: "fallback" }, action: { model: OPUS, fallbacks: [SONNET], retryBudgetMs: 5_000 } },
        { id: "retry-same", match: { route: "retry-same" }, action: { model: FLAKY, fallbacks: [FLAKY, HAIKU], retryBudgetMs: 5_000 } },
        { id: "short-budget", match: { route: "short-budget" }, action: { model: FLAKY, fallbacks: [FLAKY], retryBudgetMs: 200 } },
        { id: "capped", match: { route: "capped" }, action: { maxTokensCap: 5 } },
        { id: "cached-prefix", match: { route: "prompt-caching" }, action: { promptCaching: { enabled: true, ttl: "1h" } } },
        { id: "canary", match: { agent: "canary-agent" }, action: { split: { arms: [{ model: HAIKU, weight: 50 }, { model: SONNET, weight: 50 }], sticky: true } } },
      ],
    },
  });
  invalidateActivePolicies(handle.db, projectId);
});
afterAll(async () => {
  await h?.close();
  await handle?.close();
});

const req = (content = "Route me, please.") => ({ model: SONNET, max_tokens: 300, messages: [{ role: "user" as const, content }] });
const on = (route: string, more: Record<string, string> = {}) => ({ headers: { "x-pitwall-route": route, ...more } });
const idOf = (r: { response: Response }) => r.response.headers.get("x-pitwall-request-id")!;

describe("routing policy applied by the gateway", () => {
  it("swaps the model by rule; x-pitwall-model shows the served model and the event keeps both", async () => {
    const r = await client.messages.create(req(), on("cheap")).withResponse();
    expect(r.response.headers.get("x-pitwall-model")).toBe(HAIKU);
    expect(r.response.headers.get("x-pitwall-policy-version")).toBe("1");
    expect(r.data.model).toBe(HAIKU);
    const row = (await waitForEvents(handle, projectId, [idOf(r)])).get(idOf(r))!;
    expect(row).toMatchObject({ model: HAIKU, requestedModel: SONNET, policyVersion: 1 });
    expect(row.metadata).toMatchObject({ ruleId: "cheap" });
  });

  it("routes count_tokens by the same rules: the upstream counts for the mapped model, and the count is recorded", async () => {
    const seen: { url: string; model: unknown }[] = [];
    const hop = await serveHandler(async (q, res) => {
      const chunks: Buffer[] = [];
      for await (const c of q) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      seen.push({ url: q.url!, model: (JSON.parse(body.toString("utf8")) as { model?: unknown }).model });
      const up = http.request(`${h.sim.url}${q.url}`, { method: "POST", headers: q.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      up.end(body);
    });
    const gw = createGateway({ getDb: () => handle.db, upstream: resolveUpstream({ PITWALL_UPSTREAM_URL: hop.url }), recorder: h.writer });
    const served = await serveHandler(gw.handler);
    try {
      const c = new Anthropic({ baseURL: `${served.url}/gateway`, apiKey: client.apiKey, maxRetries: 0 });
      const params = { model: SONNET, messages: [{ role: "user" as const, content: "How many tokens is this?" }] };
      const r = await c.messages.countTokens(params, on("cheap")).withResponse();
      expect(r.data.input_tokens).toBeGreaterThan(0);
      expect(r.response.headers.get("x-pitwall-model")).toBe(HAIKU);
      expect(r.response.headers.get("x-pitwall-policy-version")).toBe("1");
      await c.messages.countTokens(params, on("anything-else"));
      expect(seen).toEqual([
        { url: "/v1/messages/count_tokens", model: HAIKU },
        { url: "/v1/messages/count_tokens", model: SONNET },
      ]);
      const row = (await waitForEvents(handle, projectId, [idOf(r)])).get(idOf(r))!;
      expect(row).toMatchObject({ kind: "count_tokens", model: HAIKU, requestedModel: SONNET, policyVersion: 1, route: "cheap" });
      expect(row.metadata).toMatchObject({ ruleId: "cheap", countedInputTokens: r.data.input_tokens });
    } finally {
      await served.close();
      await gw.close();
      await hop.close();
    }
  });

  it("passes requests no rule matches through unchanged", async () => {
    const r = await client.messages.create(req(), on("anything-else")).withResponse();
    expect(r.response.headers.get("x-pitwall-model")).toBe(SONNET);
    expect(r.data.model).toBe(SONNET);
  });

  it("falls back on a 529 before the first byte, for JSON and for streams", async () => {
    const r = await client.messages.create(req(), on("fallback")).withResponse();
    expect(r.response.headers.get("x-pitwall-model")).toBe(SONNET);
    expect(r.data.model).toBe(SONNET);
    const row = (await waitForEvents(handle, projectId, [idOf(r)])).get(idOf(r))!;
    expect(row).toMatchObject({ model: SONNET, requestedModel: SONNET, status: "ok" });
    expect(row.metadata.fallbacks).toEqual([
      expect.objectContaining({ model: OPUS, status: 529, error: "overloaded_error" }),
      expect.objectContaining({ model: SONNET, status: 200 }),
    ]);

    const stream = client.messages.stream(req(), on("fallback"));
    const { response } = await stream.withResponse();
    expect(response.headers.get("x-pitwall-model")).toBe(SONNET);
    expect((await stream.finalMessage()).model).toBe(SONNET);
  });

  it("retries the same model after retry-after, within the budget, then moves on", async () => {
    const started = Date.now();
    const r = await client.messages.create(req(), on("retry-same")).withResponse();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950); // waited out retry-after: 1
    expect(r.response.headers.get("x-pitwall-model")).toBe(HAIKU);
    const row = (await waitForEvents(handle, projectId, [idOf(r)])).get(idOf(r))!;
    expect((row.metadata.fallbacks as { model: string; status: number }[]).map((a) => [a.model, a.status])).toEqual([
      [FLAKY, 429],
      [FLAKY, 429],
      [HAIKU, 200],
    ]);
  });

  it("does not wait past the retry budget: the 429 is relayed at once", async () => {
    const started = Date.now();
    const err = await client.messages.create(req(), on("short-budget")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("never retries a spend-limit 429, fallbacks or not", async () => {
    const before = h.sim.simulator.stats.requests;
    const err = await client.messages.create(req(), on("fallback", { [SPEND_LIMIT_HEADER]: "1" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).errorCode).toBe("enforced_spend_limit_reached");
    expect((err as RateLimitError).headers.get("x-pitwall-model")).toBe(OPUS);
    expect(h.sim.simulator.stats.requests - before).toBe(1);
  });

  it("caps max_tokens", async () => {
    const r = await client.messages.create({ ...req("Tell me everything about everything."), max_tokens: 500 }, on("capped")).withResponse();
    expect(r.data.stop_reason).toBe("max_tokens");
    expect(r.data.usage.output_tokens).toBe(5);
    const row = (await waitForEvents(handle, projectId, [idOf(r)])).get(idOf(r))!;
    expect(row.metadata).toMatchObject({ maxTokensCapped: true });
  });

  it("adds prompt caching to a long system prompt: the first call writes the 1h cache, the next reads it", async () => {
    const system = `You are a meticulous support agent. ${"Policy clause: refunds within thirty days. ".repeat(250)}`;
    const ask = { ...req("First question?"), system };
    const first = await client.messages.create(ask, on("prompt-caching")).withResponse();
    expect(first.data.usage.cache_creation?.ephemeral_1h_input_tokens).toBeGreaterThan(1000);
    const second = await client.messages.create({ ...ask, messages: [{ role: "user", content: "Second question?" }] }, on("prompt-caching")).withResponse();
    expect(second.data.usage.cache_read_input_tokens).toBeGreaterThan(1000);
    const rows = await waitForEvents(handle, projectId, [idOf(first), idOf(second)]);
    expect(rows.get(idOf(first))!.cacheWrite1hTokens).toBe(first.data.usage.cache_creation!.ephemeral_1h_input_tokens);
    expect(rows.get(idOf(second))!.cacheReadTokens).toBe(second.data.usage.cache_read_input_tokens);
    expect(rows.get(idOf(first))!.metadata).toMatchObject({ promptCachingAdded: ["system"] });

    // Streamed, the TTL split arrives only in message_start; the record must keep it.
    const stream = client.messages.stream({ ...ask, system: `${system} Streamed edition.` }, on("prompt-caching"));
    const { response } = await stream.withResponse();
    const final = await stream.finalMessage();
    const streamedId = response.headers.get("x-pitwall-request-id")!;
    const row = (await waitForEvents(handle, projectId, [streamedId])).get(streamedId)!;
    expect(row.cacheWrite1hTokens).toBeGreaterThan(1000);
    expect(row.cacheWrite1hTokens).toBe(final.usage.cache_creation!.ephemeral_1h_input_tokens);
    expect(row.cacheWrite5mTokens).toBe(0);
  });

  it("keeps a session on one arm of a sticky canary split", async () => {
    const models = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const r = await client.messages.create(req(), { headers: { "x-pitwall-agent": "canary-agent", "x-pitwall-session": "session-7" } }).withResponse();
      models.add(r.response.headers.get("x-pitwall-model")!);
    }
    expect(models.size).toBe(1);
  });
});
