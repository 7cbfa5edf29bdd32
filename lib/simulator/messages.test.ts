import Anthropic, { APIError, AuthenticationError, BadRequestError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawPost } from "./testing/sse-frames";
import { startSimulatorServer, type SimulatorServer } from "./server";

const MODEL = "claude-sonnet-4-6";
let sim: SimulatorServer;
let client: Anthropic;

beforeAll(async () => {
  sim = await startSimulatorServer({ latencyScale: 0 });
  client = new Anthropic({ baseURL: sim.url, apiKey: "sk-test-key", maxRetries: 0 });
});
afterAll(() => sim.close());

describe("POST /v1/messages (non-streaming)", () => {
  it("answers a text message in the API's shape, with a request-id header", async () => {
    const { data: message, response } = await client.messages
      .create({ model: MODEL, max_tokens: 512, messages: [{ role: "user", content: "How do I rotate an API key?" }] })
      .withResponse();
    expect(response.headers.get("request-id")).toMatch(/^req_/);
    expect(message.id).toMatch(/^msg_/);
    expect(message.type).toBe("message");
    expect(message.role).toBe("assistant");
    expect(message.model).toBe(MODEL);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.content).toHaveLength(1);
    const block = message.content[0]!;
    expect(block.type).toBe("text");
    expect(block.type === "text" && block.text).toContain("How do I rotate an API key?");
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(message.usage.cache_read_input_tokens).toBe(0);
    expect(message.usage.cache_creation).toEqual({ ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 });
  });

  it("stops at max_tokens with exactly max_tokens output tokens", async () => {
    const message = await client.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: "Tell me everything." }] });
    expect(message.stop_reason).toBe("max_tokens");
    expect(message.usage.output_tokens).toBe(5);
  });

  it("stops at a stop sequence and names it", async () => {
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      stop_sequences: ["asked"],
      messages: [{ role: "user", content: "Anything" }],
    });
    expect(message.stop_reason).toBe("stop_sequence");
    expect(message.stop_sequence).toBe("asked");
    expect(message.content[0]!.type === "text" && message.content[0]!.text).toBe("You ");
  });

  it("accepts the key as x-api-key as well as Authorization: Bearer", async () => {
    const res = await rawPost(`${sim.url}/v1/messages`, { model: MODEL, max_tokens: 16, messages: [{ role: "user", content: "hi" }] }, { "x-api-key": "older-client" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { type: string }).type).toBe("message");
  });

  it("answers a thinking block first when extended thinking is on", async () => {
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 2048,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: "Plan the migration." }],
    });
    expect(message.content.map((b) => b.type)).toEqual(["thinking", "text"]);
  });
});

describe("streaming", () => {
  it("delivers text deltas before the final message resolves", async () => {
    const paced = await startSimulatorServer({ fixedLatencyMs: 0, deltaIntervalMs: 15 });
    try {
      const c = new Anthropic({ baseURL: paced.url, apiKey: "k", maxRetries: 0 });
      const stream = c.messages.stream({ model: MODEL, max_tokens: 120, messages: [{ role: "user", content: "Explain streaming." }] });
      let finalResolved = false;
      const seenBeforeFinal: number[] = [];
      stream.on("text", () => {
        if (!finalResolved) seenBeforeFinal.push(Date.now());
      });
      const final = await stream.finalMessage();
      finalResolved = true;
      const finishedAt = Date.now();
      expect(seenBeforeFinal.length).toBeGreaterThanOrEqual(2);
      // Incremental, not one burst at the end: the first delta came well before the message ended.
      expect(finishedAt - seenBeforeFinal[0]!).toBeGreaterThanOrEqual(15 * (seenBeforeFinal.length - 1) * 0.8);
      const text = final.content[0]!.type === "text" ? final.content[0]!.text : "";
      expect(text.length).toBeGreaterThan(0);
      expect(["end_turn", "max_tokens"]).toContain(final.stop_reason);
      expect(final.usage.output_tokens).toBeGreaterThan(1);
    } finally {
      await paced.close();
    }
  });

  it("streams a tool call as input_json_delta chunks that join into valid JSON", async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 1024,
      tools: [
        {
          name: "get_weather",
          description: "Current weather for a city",
          input_schema: {
            type: "object",
            properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] }, days: { type: "integer", minimum: 1, maximum: 7 } },
            required: ["city", "unit", "days"],
          },
        },
      ],
      tool_choice: { type: "any" },
      messages: [{ role: "user", content: "What's the weather in Lisbon?" }],
    });
    const partials: string[] = [];
    stream.on("streamEvent", (event) => {
      if (event.type === "content_block_delta" && event.delta.type === "input_json_delta") partials.push(event.delta.partial_json);
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe("tool_use");
    const toolUse = final.content.find((b) => b.type === "tool_use");
    expect(toolUse?.type).toBe("tool_use");
    if (toolUse?.type !== "tool_use") return;
    expect(toolUse.name).toBe("get_weather");
    expect(toolUse.id).toMatch(/^toolu_/);
    expect(partials.length).toBeGreaterThan(1);
    const input = JSON.parse(partials.join("")) as { city: unknown; unit: unknown; days: unknown };
    expect(toolUse.input).toEqual(input);
    expect(typeof input.city).toBe("string");
    expect(["celsius", "fahrenheit"]).toContain(input.unit);
    expect(Number.isInteger(input.days) && (input.days as number) >= 1 && (input.days as number) <= 7).toBe(true);
  });

  it("answers in text once the last turn carries the tool result (auto tool choice)", async () => {
    const tools = [{ name: "search_docs", input_schema: { type: "object" as const, properties: { query: { type: "string" } }, required: ["query"] } }];
    const first = await client.messages.create({ model: MODEL, max_tokens: 1024, tools, messages: [{ role: "user", content: "Use search_docs to find the retry policy." }] });
    expect(first.stop_reason).toBe("tool_use");
    expect(first.content.map((b) => b.type)).toEqual(["text", "tool_use"]);
    const call = first.content.find((b) => b.type === "tool_use")!;
    if (call.type !== "tool_use") return;
    const second = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      tools,
      messages: [
        { role: "user", content: "Use search_docs to find the retry policy." },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "Retries: 3, exponential backoff." }] },
      ],
    });
    expect(second.stop_reason).toBe("end_turn");
    expect(second.content.map((b) => b.type)).toEqual(["text"]);
  });
});

describe("POST /v1/messages/count_tokens", () => {
  it("counts the same prompt tokens that usage reports", async () => {
    const prompt = {
      model: MODEL,
      system: "You are a careful reviewer. ".repeat(20),
      tools: [{ name: "lookup", description: "Look a thing up", input_schema: { type: "object" as const, properties: { q: { type: "string" } } } }],
      messages: [{ role: "user" as const, content: "Review this diff please." }],
    };
    const counted = await client.messages.countTokens(prompt);
    const message = await client.messages.create({ ...prompt, max_tokens: 64, tool_choice: { type: "none" } });
    const u = message.usage;
    expect(counted.input_tokens).toBe(u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0));
    const longer = await client.messages.countTokens({ ...prompt, messages: [{ role: "user", content: "Review this diff please. ".repeat(10) }] });
    expect(longer.input_tokens).toBeGreaterThan(counted.input_tokens);
  });

  it("needs model and messages but not max_tokens", async () => {
    const res = await rawPost(`${sim.url}/v1/messages/count_tokens`, { model: MODEL });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe("messages: Field required");
  });
});

describe("versions, sampling parameters and validation", () => {
  it("refuses temperature, top_p and top_k under 2026-10-21 (the SDK's default version)", async () => {
    const params = { model: MODEL, max_tokens: 16, temperature: 0.2, messages: [{ role: "user", content: "hi" }] } as Anthropic.MessageCreateParamsNonStreaming;
    const err = await client.messages.create(params).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as APIError).type).toBe("invalid_request_error");
    expect((err as APIError).apiMessage).toContain("temperature");
  });

  it("accepts sampling parameters under 2023-06-01", async () => {
    const old = new Anthropic({ baseURL: sim.url, apiKey: "k", maxRetries: 0, defaultHeaders: { "anthropic-version": "2023-06-01" } });
    const params = { model: MODEL, max_tokens: 16, temperature: 0.2, top_p: 0.9, top_k: 40, messages: [{ role: "user", content: "hi" }] } as Anthropic.MessageCreateParamsNonStreaming;
    const message = await old.messages.create(params);
    expect(message.type).toBe("message");
  });

  it("answers 400 without anthropic-version and for an unknown version", async () => {
    const body = { model: MODEL, max_tokens: 16, messages: [{ role: "user", content: "hi" }] };
    const missing = await fetch(`${sim.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "k", "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(missing.status).toBe(400);
    const json = (await missing.json()) as { type: string; error: { type: string; message: string }; request_id: string };
    expect(json).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: "anthropic-version: header is required" } });
    expect(json.request_id).toBe(missing.headers.get("request-id"));
    const unknown = await rawPost(`${sim.url}/v1/messages`, body, { "anthropic-version": "2020-01-01" });
    expect(unknown.status).toBe(400);
  });

  it("answers 401 authentication_error without a key", async () => {
    const res = await fetch(`${sim.url}/v1/messages`, { method: "POST", headers: { "anthropic-version": "2023-06-01", "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    const noKeyClient = new Anthropic({ baseURL: sim.url, apiKey: "k", maxRetries: 0, defaultHeaders: { authorization: "Bearer " } });
    const err = await noKeyClient.messages.create({ model: MODEL, max_tokens: 1, messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
  });

  it.each([
    [{ model: MODEL, messages: [{ role: "user", content: "hi" }] }, "max_tokens: Field required"],
    [{ max_tokens: 5, messages: [{ role: "user", content: "hi" }] }, "model: Field required"],
    [{ model: MODEL, max_tokens: 5, messages: [] }, "messages:"],
    [{ model: MODEL, max_tokens: 0, messages: [{ role: "user", content: "hi" }] }, "max_tokens:"],
    [{ model: MODEL, max_tokens: 5, messages: [{ role: "robot", content: "hi" }] }, "messages.0.role:"],
    [{ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: [{ type: "text" }] }] }, "messages.0.content.0.text: Field required"],
    [{ model: MODEL, max_tokens: 5, tools: [{ name: "t" }], messages: [{ role: "user", content: "hi" }] }, "tools.0.input_schema:"],
    [{ model: MODEL, max_tokens: 5, tool_choice: { type: "tool", name: "nope" }, messages: [{ role: "user", content: "hi" }] }, "tool_choice.name:"],
  ])("answers invalid_request_error with the field named (%#)", async (body, message) => {
    const res = await rawPost(`${sim.url}/v1/messages`, body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { type: string; message: string } };
    expect(json.error.type).toBe("invalid_request_error");
    expect(json.error.message.startsWith(message)).toBe(true);
  });

  it("answers 400 to a body that is not JSON, 404 elsewhere and 405 to GET", async () => {
    expect((await rawPost(`${sim.url}/v1/messages`, "{nope")).status).toBe(400);
    const notFound = await rawPost(`${sim.url}/v1/complete`, {});
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    expect((await fetch(`${sim.url}/v1/messages`)).status).toBe(405);
  });

  it("answers 404 not_found_error naming the model for a model that is not Claude's", async () => {
    const res = await rawPost(`${sim.url}/v1/messages`, { model: "gpt-imaginary", max_tokens: 10, messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "not_found_error", message: "model: gpt-imaginary" } });
  });

  it("answers 400, not 500, to a body nested thousands of levels deep, in any field", async () => {
    const deep = "[".repeat(20_000) + "]".repeat(20_000);
    const base = `"model":"${MODEL}","max_tokens":10,"messages":[{"role":"user","content":"hi"}]`;
    for (const body of [`{${base},"extra":${deep}}`, `{${base},"tools":[{"name":"t","input_schema":{"type":"object","x":${deep}}}]}`]) {
      for (const path of ["/v1/messages", "/v1/messages/count_tokens"]) {
        const res = await fetch(`${sim.url}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01" }, body });
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      }
    }
    const nested = { model: MODEL, max_tokens: 10, messages: [{ role: "user", content: "hi" }], metadata: { a: { b: { c: [[[[1]]]] } } } };
    expect((await rawPost(`${sim.url}/v1/messages`, nested)).status).toBe(200);
  });
});

describe("determinism", () => {
  const request = { model: MODEL, max_tokens: 300, messages: [{ role: "user" as const, content: "Summarise the incident." }] };

  it("gives the same reply for the same seed and request, streamed or not", async () => {
    const a = await startSimulatorServer({ latencyScale: 0, seed: 42 });
    const b = await startSimulatorServer({ latencyScale: 0, seed: 42 });
    const c = await startSimulatorServer({ latencyScale: 0, seed: 43 });
    try {
      const ask = (s: SimulatorServer) => new Anthropic({ baseURL: s.url, apiKey: "k", maxRetries: 0 }).messages.create(request);
      const [ma, mb, mc] = await Promise.all([ask(a), ask(b), ask(c)]);
      expect(mb.content).toEqual(ma.content);
      expect(mb.usage).toEqual(ma.usage);
      expect(mc.content).not.toEqual(ma.content);
      // Ids differ per call (as on the real API), so a cached replay is told apart from a new call.
      expect(mb.id).not.toBe(ma.id);
      const streamed = await new Anthropic({ baseURL: a.url, apiKey: "k", maxRetries: 0 }).messages.stream(request).finalMessage();
      expect(streamed.content).toEqual(ma.content);
      expect(streamed.stop_reason).toBe(ma.stop_reason);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});

describe("client disconnect", () => {
  it("stops the reply when the client goes away", async () => {
    const slow = await startSimulatorServer({ fixedLatencyMs: 0, deltaIntervalMs: 50 });
    try {
      const controller = new AbortController();
      const res = await rawPost(`${slow.url}/v1/messages`, { ...{ model: MODEL, max_tokens: 2000, stream: true }, messages: [{ role: "user", content: "long" }] }, {}, controller.signal);
      const reader = res.body!.getReader();
      await reader.read();
      expect(slow.simulator.stats.inFlight).toBe(1);
      controller.abort();
      const deadline = Date.now() + 1000;
      while (slow.simulator.stats.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(slow.simulator.stats.inFlight).toBe(0);
      expect(slow.simulator.stats.aborted).toBe(1);
    } finally {
      await slow.close();
    }
  });
});
