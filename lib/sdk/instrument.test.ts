import http from "node:http";
import type { AddressInfo } from "node:net";
import Anthropic, { APIError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulatorServer, type SimulatorServer } from "../simulator/server";
import { createPitwall, type Pitwall } from "./pitwall";
import type { SdkEvent } from "./event";
import { startFaultServer, type FaultServer } from "./testing/fault-server";

/**
 * A canned upstream: the same bytes for the same request, so the bare and the instrumented client
 * can be compared exactly (ids included).
 */
const MESSAGE = {
  id: "msg_01canned",
  type: "message",
  role: "assistant",
  model: "claude-haiku-4-5-20251001",
  content: [{ type: "text", text: "Hello there." }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 12, output_tokens: 4, cache_read_input_tokens: 30, cache_creation_input_tokens: 20, cache_creation: { ephemeral_5m_input_tokens: 15, ephemeral_1h_input_tokens: 5 } },
};
const SSE = [
  ["message_start", { type: "message_start", message: { ...MESSAGE, content: [], stop_reason: null, usage: { ...MESSAGE.usage, output_tokens: 1 } } }],
  ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
  ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello" } }],
  ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: " there." } }],
  ["content_block_stop", { type: "content_block_stop", index: 0 }],
  ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 4 } }],
  ["message_stop", { type: "message_stop" }],
] as const;

let upstream: http.Server;
let upstreamUrl: string;
let sim: SimulatorServer;
let ingest: FaultServer;
let pitwall: Pitwall;
let bare: Anthropic;
let wrapped: Anthropic;

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const params = JSON.parse(body) as { model: string; stream?: boolean };
      if (params.model === "overloaded") {
        res.writeHead(529, { "content-type": "application/json", "request-id": "req_fixed" });
        res.end(JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }));
      } else if (params.model === "bad") {
        res.writeHead(400, { "content-type": "application/json", "request-id": "req_fixed" });
        res.end(JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "max_tokens: required" } }));
      } else if (params.stream) {
        res.writeHead(200, { "content-type": "text/event-stream", "request-id": "req_fixed" });
        for (const [event, data] of SSE) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        res.end();
      } else {
        res.writeHead(200, { "content-type": "application/json", "request-id": "req_fixed" });
        res.end(JSON.stringify(MESSAGE));
      }
    });
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  sim = await startSimulatorServer({ latencyScale: 0 });
  ingest = await startFaultServer(() => "ok");
  pitwall = createPitwall({ baseUrl: ingest.url, apiKey: "pw_sk_" + "k".repeat(40), agent: "tester", flushOnExit: false });
  bare = new Anthropic({ baseURL: upstreamUrl, apiKey: "sk-test", maxRetries: 0 });
  wrapped = pitwall.instrument(new Anthropic({ baseURL: upstreamUrl, apiKey: "sk-test", maxRetries: 0 }), { route: "greet" });
});
afterAll(async () => {
  await pitwall.shutdown();
  await ingest.close();
  await sim.close();
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
});

const params = { model: "claude-haiku-4-5", max_tokens: 64, system: "Be brief.", messages: [{ role: "user" as const, content: "Hi" }] };

async function recorded(): Promise<SdkEvent[]> {
  await pitwall.flush();
  const events = [...ingest.stored.values()] as SdkEvent[];
  ingest.stored.clear();
  return events;
}

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("instrumented Anthropic client: the caller sees exactly what the bare client gives", () => {
  it("messages.create: a deep-equal message, and an llm event with usage by cache kind and both hashes", async () => {
    await recorded();
    const a = await bare.messages.create(params);
    const b = await wrapped.messages.create(params);
    expect(b).toEqual(a);
    expect(Object.getPrototypeOf(b)).toBe(Object.getPrototypeOf(a));
    const [e] = await recorded();
    expect(e).toMatchObject({
      kind: "llm",
      agent: "tester",
      route: "greet",
      model: "claude-haiku-4-5-20251001",
      requestedModel: "claude-haiku-4-5",
      status: "ok",
      streamed: false,
      inputTokens: 12,
      outputTokens: 4,
      cacheReadTokens: 30,
      cacheWrite5mTokens: 15,
      cacheWrite1hTokens: 5,
      messageCount: 1,
      promptHash: expect.stringMatching(/^[0-9a-f]{32}$/),
      systemHash: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(e!.latencyMs).toBeGreaterThan(0);
  });

  it("withResponse() still gives the same data and the raw response", async () => {
    const a = await bare.messages.create(params).withResponse();
    const b = await wrapped.messages.create(params).withResponse();
    expect(b.data).toEqual(a.data);
    expect(b.response.headers.get("request-id")).toBe("req_fixed");
    expect(b.request_id).toBe(a.request_id);
    expect(await recorded()).toHaveLength(1);
  });

  it("messages.create({ stream: true }): identical stream events, TTFT and final usage recorded", async () => {
    const collect = async (client: Anthropic) => {
      const out: unknown[] = [];
      for await (const ev of await client.messages.create({ ...params, stream: true })) out.push(ev);
      return out;
    };
    const a = await collect(bare);
    const b = await collect(wrapped);
    expect(b).toEqual(a);
    expect(b).toHaveLength(SSE.length);
    const [e] = await recorded();
    expect(e).toMatchObject({ streamed: true, status: "ok", inputTokens: 12, outputTokens: 4, cacheReadTokens: 30, model: "claude-haiku-4-5-20251001" });
    expect(e!.ttftMs).toBeGreaterThan(0);
    expect(e!.ttftMs!).toBeLessThanOrEqual(e!.latencyMs!);
  });

  it("messages.stream(): identical events and final message, recorded once", async () => {
    const run = async (client: Anthropic) => {
      const events: unknown[] = [];
      const stream = client.messages.stream(params);
      stream.on("streamEvent", (ev) => events.push(ev));
      const text: string[] = [];
      stream.on("text", (t) => text.push(t));
      return { final: await stream.finalMessage(), events, text };
    };
    const a = await run(bare);
    const b = await run(wrapped);
    expect(b).toEqual(a);
    const events = await recorded();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ streamed: true, outputTokens: 4, route: "greet" });
  });

  it("errors: the same error classes, statuses and bodies; recorded with the API's error type", async () => {
    const a = (await errorOf(bare.messages.create({ ...params, model: "overloaded" }))) as APIError;
    const b = (await errorOf(wrapped.messages.create({ ...params, model: "overloaded" }))) as APIError;
    expect(b.constructor).toBe(a.constructor);
    expect(b).toBeInstanceOf(Anthropic.APIError);
    expect([b.status, b.message, b.error]).toEqual([a.status, a.message, a.error]);
    const c = await errorOf(wrapped.messages.create({ ...params, model: "bad" }));
    expect(c).toBeInstanceOf(Anthropic.BadRequestError);
    const events = await recorded();
    expect(events.map((e) => [e.status, e.errorType, e.httpStatus]).sort()).toEqual([
      ["error", "invalid_request_error", 400],
      ["error", "overloaded_error", 529],
    ]);
  });

  it("a stream the caller stops early is recorded as aborted, and the stream is closed", async () => {
    const stream = await wrapped.messages.create({ ...params, stream: true });
    for await (const ev of stream) if (ev.type === "content_block_start") break;
    const [e] = await recorded();
    expect(e).toMatchObject({ status: "aborted", streamed: true });
  });

  it("leaves the bare client and its other methods alone", async () => {
    const client = new Anthropic({ baseURL: sim.url, apiKey: "sk-test", maxRetries: 0 });
    const view = pitwall.instrument(client);
    expect(client.messages.create).toBe(Anthropic.Messages.prototype.create);
    expect(view).toBeInstanceOf(Anthropic);
    const counted = await view.messages.countTokens({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hello" }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
    expect(view.withOptions({ timeout: 5 })).toBeInstanceOf(Anthropic);
    expect(await recorded()).toEqual([]);
  });
});

describe("traces and tools", () => {
  const simClient = () => pitwall.instrument(new Anthropic({ baseURL: sim.url, apiKey: "sk-test", maxRetries: 0 }), { route: "agent" });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const span = (e: SdkEvent) => [Date.parse(e.timestamp), Date.parse(e.timestamp) + e.latencyMs!] as const;

  it("Promise.all tool calls overlap in the trace; calls inside a tool have the tool as parent", async () => {
    await recorded();
    const client = simClient();
    await pitwall.trace("parallel", async () => {
      await client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 16, messages: [{ role: "user", content: "plan" }] });
      await Promise.all(
        ["search", "lookup", "fetch"].map((name) =>
          pitwall.tool(name, async () => {
            await sleep(60);
            if (name === "lookup") await client.messages.create({ model: "claude-haiku-4-5", max_tokens: 8, messages: [{ role: "user", content: "sub" }] });
          }),
        ),
      );
    });
    const events = await recorded();
    const tools = events.filter((e) => e.kind === "tool");
    const llms = events.filter((e) => e.kind === "llm");
    expect(tools).toHaveLength(3);
    expect(new Set(events.map((e) => e.traceId)).size).toBe(1);
    expect(tools.every((t) => t.parentId === null)).toBe(true);
    const [s0, s1, s2] = tools.map(span) as [readonly [number, number], readonly [number, number], readonly [number, number]];
    expect(Math.max(s0[0], s1[0], s2[0])).toBeLessThan(Math.min(s0[1], s1[1], s2[1])); // all three overlap
    const lookup = tools.find((t) => (t.metadata as { name: string }).name === "lookup")!;
    const sub = llms.find((e) => e.requestedModel === "claude-haiku-4-5")!;
    expect(sub.parentId).toBe(lookup.id);
    expect(llms.find((e) => e.requestedModel === "claude-sonnet-4-5")!.parentId).toBeNull();
    expect(sub.metadata).toMatchObject({ traceName: "parallel" });
  });

  it("sequential tool calls do not overlap", async () => {
    await pitwall.trace("sequential", async () => {
      for (const name of ["a", "b", "c"]) await pitwall.tool(name, () => sleep(30));
    });
    const tools = (await recorded()).sort((x, y) => Date.parse(x.timestamp) - Date.parse(y.timestamp));
    expect(tools).toHaveLength(3);
    for (let i = 1; i < tools.length; i++) expect(span(tools[i]!)[0]).toBeGreaterThanOrEqual(Math.floor(span(tools[i - 1]!)[1]));
  });

  it("a failing tool is recorded as an error and its error reaches the caller unchanged", async () => {
    const boom = new TypeError("no such order");
    const err = await errorOf(pitwall.trace("fails", () => pitwall.tool("lookup", async () => Promise.reject(boom))));
    expect(err).toBe(boom);
    const [e] = await recorded();
    expect(e).toMatchObject({ kind: "tool", status: "error", errorType: "TypeError" });
  });

  it("an explicit context (ctx.tool, ctx.run) records the same parents as the async one", async () => {
    const client = simClient();
    await pitwall.trace("explicit", (ctx) =>
      ctx.tool("outer", (inner) => inner.run(() => client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 8, messages: [{ role: "user", content: "x" }] }))),
    );
    const events = await recorded();
    const tool = events.find((e) => e.kind === "tool")!;
    const llm = events.find((e) => e.kind === "llm")!;
    expect(llm.parentId).toBe(tool.id);
    expect(llm.traceId).toBe(tool.traceId);
  });
});
