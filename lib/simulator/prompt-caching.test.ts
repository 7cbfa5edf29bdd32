import Anthropic, { APIError, BadRequestError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findBreakpoints, PromptCache } from "./prompt-cache";
import { startSimulatorServer, type SimulatorServer } from "./server";
import { promptBlocks, textTokens } from "./token-count";

const SONNET = "claude-sonnet-4-6"; // minimum 1024 tokens
const HAIKU = "claude-haiku-4-5"; // minimum 4096 tokens
// ~2000 tokens: above Sonnet's minimum, below Haiku 4.5's.
const LONG_SYSTEM = "You are the support agent for Pitwall. Answer precisely and cite the docs. ".repeat(108);
const SHORT_SYSTEM = "You are terse. ".repeat(30);

let clock = Date.now();
let sim: SimulatorServer;
let client: Anthropic;

beforeAll(async () => {
  sim = await startSimulatorServer({ latencyScale: 0, now: () => clock });
  client = new Anthropic({ baseURL: sim.url, apiKey: "sk-cache-test", maxRetries: 0 });
});
afterAll(() => sim.close());

function ask(c: Anthropic, model: string, system: Anthropic.TextBlockParam[], question: string, extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) {
  return c.messages.create({ model, max_tokens: 64, system, messages: [{ role: "user", content: question }], ...extra });
}

describe("prompt caching through the API", () => {
  it("writes the prefix on the first call and reads it on the next call with the same prefix", async () => {
    const system: Anthropic.TextBlockParam[] = [{ type: "text", text: LONG_SYSTEM, cache_control: { type: "ephemeral" } }];
    const prefixTokens = textTokens(LONG_SYSTEM);
    expect(prefixTokens).toBeGreaterThan(1024);

    const first = await ask(client, SONNET, system, "How do I rotate a key?");
    expect(first.usage.cache_creation_input_tokens).toBe(prefixTokens);
    expect(first.usage.cache_creation).toEqual({ ephemeral_5m_input_tokens: prefixTokens, ephemeral_1h_input_tokens: 0 });
    expect(first.usage.cache_read_input_tokens).toBe(0);

    const second = await ask(client, SONNET, system, "Where are the invoices?");
    expect(second.usage.cache_read_input_tokens).toBe(prefixTokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    // input_tokens excludes cached tokens: it is only what follows the cached prefix.
    const counted = await client.messages.countTokens({ model: SONNET, system, messages: [{ role: "user", content: "Where are the invoices?" }] });
    expect(second.usage.input_tokens).toBe(counted.input_tokens - prefixTokens);
  });

  it("keeps caches apart per API key", async () => {
    const system: Anthropic.TextBlockParam[] = [{ type: "text", text: `${LONG_SYSTEM} (per key)`, cache_control: { type: "ephemeral" } }];
    await ask(client, SONNET, system, "one");
    const other = new Anthropic({ baseURL: sim.url, apiKey: "sk-another-key", maxRetries: 0 });
    const fromOther = await ask(other, SONNET, system, "one");
    expect(fromOther.usage.cache_read_input_tokens).toBe(0);
    expect(fromOther.usage.cache_creation_input_tokens).toBeGreaterThan(0);
  });

  it("caches nothing below the model's minimum, and raises no error", async () => {
    const system: Anthropic.TextBlockParam[] = [{ type: "text", text: SHORT_SYSTEM, cache_control: { type: "ephemeral" } }];
    for (let i = 0; i < 2; i++) {
      const message = await ask(client, SONNET, system, "hi");
      expect(message.usage.cache_creation_input_tokens).toBe(0);
      expect(message.usage.cache_read_input_tokens).toBe(0);
    }
    // The same 2000-token prefix that Sonnet caches is under Haiku 4.5's 4096.
    const haiku = await ask(client, HAIKU, [{ type: "text", text: LONG_SYSTEM, cache_control: { type: "ephemeral" } }], "hi");
    expect(haiku.usage.cache_creation_input_tokens).toBe(0);
  });

  it("bills a 1h breakpoint as ephemeral_1h_input_tokens, and it outlives a 5m entry", async () => {
    const oneHour: Anthropic.TextBlockParam[] = [{ type: "text", text: `${LONG_SYSTEM} (1h)`, cache_control: { type: "ephemeral", ttl: "1h" } }];
    const fiveMin: Anthropic.TextBlockParam[] = [{ type: "text", text: `${LONG_SYSTEM} (5m)`, cache_control: { type: "ephemeral", ttl: "5m" } }];
    const first = await ask(client, SONNET, oneHour, "q");
    expect(first.usage.cache_creation?.ephemeral_1h_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(first.usage.cache_creation?.ephemeral_5m_input_tokens).toBe(0);
    await ask(client, SONNET, fiveMin, "q");

    clock += 6 * 60_000;
    const oneHourLater = await ask(client, SONNET, oneHour, "q2");
    const fiveMinLater = await ask(client, SONNET, fiveMin, "q2");
    expect(oneHourLater.usage.cache_read_input_tokens).toBeGreaterThan(0);
    expect(fiveMinLater.usage.cache_read_input_tokens).toBe(0);
    expect(fiveMinLater.usage.cache_creation?.ephemeral_5m_input_tokens).toBeGreaterThan(0);
  });

  it("caches tools and a growing conversation with top-level automatic caching", async () => {
    const tools: Anthropic.Tool[] = [{ name: "lookup", description: LONG_SYSTEM, input_schema: { type: "object", properties: { q: { type: "string" } } } }];
    const turn1: Anthropic.MessageParam[] = [{ role: "user", content: "Start the review." }];
    const first = await client.messages.create({ model: SONNET, max_tokens: 64, tools, tool_choice: { type: "none" }, cache_control: { type: "ephemeral" }, messages: turn1 });
    const total1 = (await client.messages.countTokens({ model: SONNET, tools, messages: turn1 })).input_tokens;
    expect(first.usage.cache_creation_input_tokens).toBe(total1);
    expect(first.usage.input_tokens).toBe(0);

    const turn2: Anthropic.MessageParam[] = [...turn1, { role: "assistant", content: first.content }, { role: "user", content: "Continue." }];
    const second = await client.messages.create({ model: SONNET, max_tokens: 64, tools, tool_choice: { type: "none" }, cache_control: { type: "ephemeral" }, messages: turn2 });
    const total2 = (await client.messages.countTokens({ model: SONNET, tools, messages: turn2 })).input_tokens;
    expect(second.usage.cache_read_input_tokens).toBe(total1);
    expect(second.usage.cache_creation_input_tokens).toBe(total2 - total1);
  });

  it("refuses more than four breakpoints", async () => {
    const system: Anthropic.TextBlockParam[] = Array.from({ length: 5 }, (_, i) => ({ type: "text" as const, text: `part ${i}`, cache_control: { type: "ephemeral" as const } }));
    const err = await ask(client, SONNET, system, "x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as APIError).apiMessage).toContain("maximum of 4");
  });

  it("honours a configured minimum for a model", async () => {
    const custom = await startSimulatorServer({ latencyScale: 0, minCacheTokens: { "claude-sonnet-4-6": 5000 } });
    try {
      const c = new Anthropic({ baseURL: custom.url, apiKey: "k", maxRetries: 0 });
      const message = await ask(c, SONNET, [{ type: "text", text: LONG_SYSTEM, cache_control: { type: "ephemeral" } }], "q");
      expect(message.usage.cache_creation_input_tokens).toBe(0);
    } finally {
      await custom.close();
    }
  });
});

describe("PromptCache", () => {
  const chunk = (i: number) => ({ type: "text" as const, text: `block ${i} `.repeat(100) });

  it("finds an earlier cached prefix within 20 blocks of a moved breakpoint", () => {
    const cache = new PromptCache();
    const messages = (n: number, markLast: boolean) => [
      { role: "user" as const, content: Array.from({ length: n }, (_, i) => (markLast && i === n - 1 ? { ...chunk(i), cache_control: { type: "ephemeral" as const } } : chunk(i))) },
    ];
    const req1 = { model: "m", messages: messages(5, true) };
    const b1 = promptBlocks(req1);
    const first = cache.apply("scope", b1, findBreakpoints(b1, undefined) as never, 100);
    expect(first.cacheWrite5mTokens).toBeGreaterThan(0);
    const req2 = { model: "m", messages: messages(12, true) };
    const b2 = promptBlocks(req2);
    const second = cache.apply("scope", b2, findBreakpoints(b2, undefined) as never, 100);
    expect(second.cacheReadTokens).toBe(first.cacheWrite5mTokens);
    expect(second.inputTokens).toBe(0);
  });

  it("expires an entry on its TTL, and each read restarts the TTL", () => {
    let now = 0;
    const cache = new PromptCache({ now: () => now });
    const blocks = promptBlocks({ model: "m", system: [{ type: "text", text: "s".repeat(8000), cache_control: { type: "ephemeral" } }], messages: [{ role: "user", content: "x" }] });
    const use = () => cache.apply("s", blocks, findBreakpoints(blocks, undefined) as never, 1024);
    expect(use().cacheWrite5mTokens).toBe(2000);
    // Read just inside the 5 minutes, then twice more at 4-minute gaps: each read keeps it alive.
    for (const at of [5 * 60_000 - 1, 9 * 60_000 - 1, 13 * 60_000 - 1]) {
      now = at;
      expect(use().cacheReadTokens, `read at ${at} ms`).toBe(2000);
    }
    // 5 minutes after the last read it is gone: the next use writes it again.
    now = 18 * 60_000 - 1;
    const expired = use();
    expect(expired.cacheReadTokens).toBe(0);
    expect(expired.cacheWrite5mTokens).toBe(2000);
  });

  it("keeps a 1h entry an hour from its last read", () => {
    let now = 0;
    const cache = new PromptCache({ now: () => now });
    const blocks = promptBlocks({ model: "m", system: [{ type: "text", text: "h".repeat(8000), cache_control: { type: "ephemeral", ttl: "1h" } }], messages: [{ role: "user", content: "x" }] });
    const use = () => cache.apply("s", blocks, findBreakpoints(blocks, undefined) as never, 1024);
    expect(use().cacheWrite1hTokens).toBe(2000);
    now = 59 * 60_000;
    expect(use().cacheReadTokens).toBe(2000);
    now = 59 * 60_000 + 60 * 60_000 - 1;
    expect(use().cacheReadTokens).toBe(2000);
    now += 60 * 60_000;
    expect(use()).toMatchObject({ cacheReadTokens: 0, cacheWrite1hTokens: 2000 });
  });

  it("refuses a 1h breakpoint after a 5m one", () => {
    const blocks = promptBlocks({
      model: "m",
      system: [
        { type: "text", text: "a", cache_control: { type: "ephemeral", ttl: "5m" } },
        { type: "text", text: "b", cache_control: { type: "ephemeral", ttl: "1h" } },
      ],
      messages: [{ role: "user", content: "x" }],
    });
    expect(findBreakpoints(blocks, undefined)).toMatch(/1h/);
  });

  it("splits a write between 1h and 5m breakpoints", () => {
    const blocks = promptBlocks({
      model: "m",
      system: [
        { type: "text", text: "a".repeat(4400), cache_control: { type: "ephemeral", ttl: "1h" } },
        { type: "text", text: "b".repeat(8000), cache_control: { type: "ephemeral", ttl: "5m" } },
      ],
      messages: [{ role: "user", content: "x" }],
    });
    const usage = new PromptCache().apply("s", blocks, findBreakpoints(blocks, undefined) as never, 1024);
    expect(usage).toEqual({ inputTokens: 4, cacheReadTokens: 0, cacheWrite1hTokens: 1100, cacheWrite5mTokens: 2000 });
  });

  it("folds a breakpoint below the minimum into the next one that reaches it", () => {
    const blocks = promptBlocks({
      model: "m",
      system: [
        { type: "text", text: "a".repeat(400), cache_control: { type: "ephemeral", ttl: "1h" } },
        { type: "text", text: "b".repeat(8000), cache_control: { type: "ephemeral", ttl: "5m" } },
      ],
      messages: [{ role: "user", content: "x" }],
    });
    const usage = new PromptCache().apply("s", blocks, findBreakpoints(blocks, undefined) as never, 1024);
    expect(usage).toEqual({ inputTokens: 4, cacheReadTokens: 0, cacheWrite1hTokens: 0, cacheWrite5mTokens: 2100 });
  });
});
