import Anthropic from "@anthropic-ai/sdk";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPitwall, type Pitwall, type PitwallOptions } from "./pitwall";
import { startEchoUpstream, startPolicyServer, type EchoUpstream, type PolicyServer } from "./testing/policy-server";

const KEY = `pw_sk_${"p".repeat(40)}`;
const LONG_SYSTEM = "You answer support questions about orders. ".repeat(600); // ~6,600 tokens at 4 chars each

const ROUTING_V1 = {
  version: 1,
  document: {
    rules: [
      { id: "support-fast", match: { route: "support" }, action: { model: "claude-haiku-4-5", maxTokensCap: 100, promptCaching: { enabled: true, ttl: "1h" } } },
      { id: "vip", match: { tags: { tier: "vip" } }, action: { model: "claude-opus-4-5" } },
      { id: "resilient", match: { route: "fragile" }, action: { model: "overloaded", fallbacks: ["claude-sonnet-4-5"], retryBudgetMs: 5000 } },
    ],
    default: {},
  },
};
const CACHE_V1 = { version: 1, document: { rules: [{ id: "faq", match: { route: "faq" }, ttlSec: 60, scope: "project" }], default: { ttlSec: 0, scope: "project" } } };

let policy: PolicyServer;
let upstream: EchoUpstream;
const open: Pitwall[] = [];

beforeAll(async () => {
  upstream = await startEchoUpstream();
});
afterAll(() => upstream.close());
beforeEach(async () => {
  policy = await startPolicyServer({ routing: structuredClone(ROUTING_V1), cache: structuredClone(CACHE_V1) });
  upstream.bodies.length = 0;
});
afterEach(async () => {
  for (const pw of open.splice(0)) await pw.shutdown(1000);
  await policy.close();
});

function pitwall(over: Partial<PitwallOptions> = {}): Pitwall {
  const pw = createPitwall({ baseUrl: policy.url, apiKey: KEY, agent: "support-agent", flushOnExit: false, policies: { refreshMs: 60_000 }, ...over });
  open.push(pw);
  return pw;
}
const anthropic = () => new Anthropic({ apiKey: "sk-ant-test", baseURL: upstream.url, maxRetries: 0 });
const ask = (content = "Where is my order?") => ({ model: "claude-sonnet-4-6", max_tokens: 512, messages: [{ role: "user" as const, content }] });

/** Events are built off the caller's path, so their order is only the calls' order when each call is flushed. */
async function eventsOf(pw: Pitwall): Promise<Record<string, unknown>[]> {
  await pw.flush();
  return policy.events;
}
async function inOrder<T>(pw: Pitwall, call: () => Promise<T>): Promise<T> {
  const out = await call();
  await pw.flush();
  return out;
}

describe("client-side policies in the SDK", () => {
  it("sends If-None-Match with the ETag it was given and keeps its version on a 304", async () => {
    const pw = pitwall({ policies: { refreshMs: 40 } });
    await pw.policies!.ready();
    await expect.poll(() => policy.fetches.length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    // Stop the interval, then join whatever fetch is still out, so the counts below are settled.
    await pw.shutdown(1000);
    await pw.policies!.refresh();
    expect(policy.fetches[0]).toEqual({ ifNoneMatch: null, status: 200 });
    for (const f of policy.fetches.slice(1)) expect(f).toEqual({ ifNoneMatch: '"routing-1.cache-1"', status: 304 });
    expect(pw.policies!.versions).toEqual({ routing: 1, cache: 1 });
    expect(pw.policies!.stats).toMatchObject({ updates: 1, errors: 0 });
    expect(pw.policies!.stats.notModified).toBe(pw.policies!.stats.fetches - 1);
  });

  it("routes what the client sends (model, max_tokens cap, prompt caching) and leaves the caller's params alone", async () => {
    const pw = pitwall();
    await pw.policies!.ready();
    const client = pw.instrument(anthropic(), { route: "support" });
    const params = { ...ask(), system: LONG_SYSTEM };
    const before = structuredClone(params);
    const msg = await inOrder(pw, () => client.messages.create(params));
    expect(msg.model).toBe("claude-haiku-4-5");
    expect(params).toEqual(before);
    const sent = upstream.bodies.at(-1)!;
    expect(sent).toMatchObject({ model: "claude-haiku-4-5", max_tokens: 100 });
    expect(sent.system).toEqual([{ type: "text", text: LONG_SYSTEM, cache_control: { type: "ephemeral", ttl: "1h" } }]);

    // A tag rule matches on the tags the client was instrumented with.
    await pw.instrument(anthropic(), { route: "other", tags: { tier: "vip" } }).messages.create(ask());
    expect(upstream.bodies.at(-1)!.model).toBe("claude-opus-4-5");

    const [routed, tagged] = await eventsOf(pw);
    expect(routed).toMatchObject({ model: "claude-haiku-4-5", requestedModel: "claude-sonnet-4-6", route: "support", policyVersion: 1, responseCache: "none" });
    expect(routed!.metadata).toMatchObject({ ruleId: "support-fast", cachePolicyVersion: 1, promptCachingAdded: ["system"], maxTokensCapped: true });
    expect(tagged).toMatchObject({ model: "claude-opus-4-5", tags: { tier: "vip" }, policyVersion: 1 });
  });

  it("applies a new version after a refresh, and its events carry it", async () => {
    const pw = pitwall();
    await pw.policies!.ready();
    const client = pw.instrument(anthropic(), { route: "support" });
    await inOrder(pw, () => client.messages.create(ask()));
    expect(upstream.bodies.at(-1)!.model).toBe("claude-haiku-4-5");
    policy.live.routing = { version: 2, document: { rules: [{ id: "support-opus", match: { route: "support" }, action: { model: "claude-opus-4-5" } }], default: {} } };
    await pw.policies!.refresh();
    expect(pw.policies!.versions).toEqual({ routing: 2, cache: 1 });
    await client.messages.create(ask());
    expect(upstream.bodies.at(-1)).toMatchObject({ model: "claude-opus-4-5", max_tokens: 512 });
    const events = await eventsOf(pw);
    expect(events.map((e) => [e.policyVersion, e.model])).toEqual([
      [1, "claude-haiku-4-5"],
      [2, "claude-opus-4-5"],
    ]);
  });

  it("serves an exact repeat from its cache for the policy's TTL without calling the upstream, recorded as a hit", async () => {
    const pw = pitwall();
    await pw.policies!.ready();
    const client = pw.instrument(anthropic(), { route: "faq" });
    const first = await inOrder(pw, () => client.messages.create(ask("What are your opening hours?")));
    await expect.poll(() => pw.policies!.stats.responseCache!.stored).toBe(1);
    const calls = upstream.bodies.length;
    const { data: second, response } = await inOrder(pw, () => client.messages.create(ask("What are your opening hours?")).withResponse());
    expect(upstream.bodies.length).toBe(calls);
    expect(second).toEqual(first);
    expect(response.headers.get("x-pitwall-cache")).toBe("HIT");
    // Another question is a miss and goes upstream.
    await inOrder(pw, () => client.messages.create(ask("Do you ship abroad?")));
    expect(upstream.bodies.length).toBe(calls + 1);

    // A stream is replayed event for event.
    const collect = async () => {
      const out: unknown[] = [];
      for await (const e of await client.messages.create({ ...ask("Streamed FAQ"), stream: true })) out.push(e);
      await pw.flush();
      return out;
    };
    const streamed = await collect();
    await expect.poll(() => pw.policies!.stats.responseCache!.stored).toBe(3);
    const before = upstream.bodies.length;
    expect(await collect()).toEqual(streamed);
    expect(upstream.bodies.length).toBe(before);

    const events = await eventsOf(pw);
    expect(events.map((e) => e.responseCache)).toEqual(["miss", "hit", "miss", "miss", "hit"]);
    const hit = events[1]!;
    expect(hit).toMatchObject({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, policyVersion: 1, status: "ok" });
    expect((hit.metadata as { savedUsage: unknown }).savedUsage).toMatchObject({ inputTokens: 11, outputTokens: 3 });
    expect(events[4]).toMatchObject({ responseCache: "hit", streamed: true, outputTokens: 0 });
  });

  it("does not cache where the policy gives no TTL, nor when the cache is turned off", async () => {
    const pw = pitwall({ policies: { refreshMs: 60_000, responseCache: false } });
    await pw.policies!.ready();
    const client = pw.instrument(anthropic(), { route: "faq" });
    await client.messages.create(ask("Same question"));
    await client.messages.create(ask("Same question"));
    await pw.instrument(anthropic(), { route: "support" }).messages.create(ask("Same question"));
    expect(upstream.bodies.length).toBe(3);
    expect(pw.policies!.stats.responseCache).toBeNull();
  });

  it("splits by the rule's weights, sticky per session of the current trace", async () => {
    policy.live.routing = {
      version: 3,
      document: { rules: [{ id: "canary", match: { route: "canary" }, action: { split: { arms: [{ model: "claude-opus-4-6", weight: 50 }, { model: "claude-haiku-4-5", weight: 50 }], sticky: true } } }], default: {} },
    };
    const pw = pitwall();
    await pw.policies!.ready();
    const client = pw.instrument(anthropic(), { route: "canary" });
    const served = async (session: string) => {
      const models = new Set<string>();
      for (let i = 0; i < 4; i++) models.add((await pw.trace("t", () => client.messages.create(ask()), { sessionId: session })).model);
      return models;
    };
    const bySession = await Promise.all(Array.from({ length: 12 }, (_, i) => served(`sess-${i}`)));
    // Each session stays on one arm; across sessions both arms serve.
    for (const models of bySession) expect(models.size).toBe(1);
    expect(new Set(bySession.flatMap((m) => [...m]))).toEqual(new Set(["claude-opus-4-6", "claude-haiku-4-5"]));
  });

  it("walks the rule's fallback chain on a 529 before the first byte", async () => {
    const pw = pitwall();
    await pw.policies!.ready();
    const msg = await pw.instrument(anthropic(), { route: "fragile" }).messages.create(ask());
    expect(msg.model).toBe("claude-sonnet-4-5");
    expect(upstream.bodies.map((b) => b.model)).toEqual(["overloaded", "claude-sonnet-4-5"]);
    const [event] = await eventsOf(pw);
    expect(event).toMatchObject({ model: "claude-sonnet-4-5", status: "ok", policyVersion: 1 });
    expect((event!.metadata as { fallbackModel: string }).fallbackModel).toBe("claude-sonnet-4-5");
  });

  it("changes nothing when policies are not turned on", async () => {
    const pw = pitwall({ policies: undefined });
    expect(pw.policies).toBeNull();
    const client = pw.instrument(anthropic(), { route: "support" });
    const params = { ...ask(), system: LONG_SYSTEM };
    await client.messages.create(params);
    await client.messages.create(params);
    expect(upstream.bodies).toEqual([params, params]);
    expect(policy.fetches).toEqual([]);
    const events = await eventsOf(pw);
    for (const e of events) {
      expect(e).not.toHaveProperty("policyVersion");
      expect(e).not.toHaveProperty("responseCache");
      expect(e.model).toBe("claude-sonnet-4-6");
    }
  });

  it.each(["500", "garbage", "reset", "hang", "bad-document"] as const)("never fails or holds up a call when the policy fetch fails (%s)", async (fault) => {
    policy.fault = fault;
    const errors: string[] = [];
    const pw = pitwall({ onError: (e) => errors.push(e.message), policies: { refreshMs: 60_000, timeoutMs: 300 } });
    const client = pw.instrument(anthropic(), { route: "support" });
    // While the first fetch is still out (a hang lasts the whole timeout), the call goes as sent.
    const during = await client.messages.create(ask());
    expect(during.model).toBe("claude-sonnet-4-6");
    await pw.policies!.ready();
    expect(pw.policies!.versions).toBeNull();
    expect(pw.policies!.stats.errors).toBe(1);
    expect(errors.some((m) => m.startsWith("Pitwall policies:"))).toBe(true);
    const after = await client.messages.create(ask());
    expect(after.model).toBe("claude-sonnet-4-6");
    expect(upstream.bodies).toEqual([ask(), ask()]);
    const events = await eventsOf(pw);
    expect(events).toHaveLength(2);
    for (const e of events) expect(e).toMatchObject({ status: "ok", model: "claude-sonnet-4-6" });
  });

  it("keeps applying the last version it had while fetches fail", async () => {
    const pw = pitwall({ onError: () => undefined, policies: { refreshMs: 60_000, timeoutMs: 200 } });
    await pw.policies!.ready();
    for (const fault of ["500", "reset", "bad-document"] as const) {
      policy.fault = fault;
      await pw.policies!.refresh();
    }
    expect(pw.policies!.stats.errors).toBe(3);
    expect(pw.policies!.versions).toEqual({ routing: 1, cache: 1 });
    await pw.instrument(anthropic(), { route: "support" }).messages.create(ask());
    expect(upstream.bodies.at(-1)!.model).toBe("claude-haiku-4-5");
  });
});
