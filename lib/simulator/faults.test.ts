import Anthropic, { APIError, BadRequestError, InternalServerError, RateLimitError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAULT_HEADER, SPEND_LIMIT_HEADER } from "./faults";
import { rawPost } from "./testing/sse-frames";
import { startSimulatorServer, type SimulatorServer } from "./server";

const MODEL = "claude-haiku-4-5";
const request = { model: MODEL, max_tokens: 400, messages: [{ role: "user" as const, content: "Status report, please." }] };
let sim: SimulatorServer;
let client: Anthropic;

beforeAll(async () => {
  sim = await startSimulatorServer({ latencyScale: 0 });
  client = new Anthropic({ baseURL: sim.url, apiKey: "k", maxRetries: 0 });
});
afterAll(() => sim.close());

const withFault = (fault: string) => ({ headers: { [FAULT_HEADER]: fault } });

describe("fault injection by header", () => {
  it("429 is a RateLimitError carrying retry-after", async () => {
    const err = await client.messages.create(request, withFault("429")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    const e = err as RateLimitError;
    expect(e.type).toBe("rate_limit_error");
    expect(e.headers.get("retry-after")).toBe("1");
    expect(e.requestID).toMatch(/^req_/);
  });

  it("529 is an OverloadedError (an InternalServerError) and 500 an InternalServerError", async () => {
    const overloaded = await client.messages.create(request, withFault("529")).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(InternalServerError);
    expect((overloaded as APIError).status).toBe(529);
    expect((overloaded as APIError).type).toBe("overloaded_error");
    const internal = await client.messages.create(request, withFault("500")).catch((e: unknown) => e);
    expect(internal).toBeInstanceOf(InternalServerError);
    expect((internal as APIError).status).toBe(500);
    expect((internal as APIError).type).toBe("api_error");
  });

  it("streams: errors before the first byte arrive as HTTP errors", async () => {
    const err = await client.messages.stream(request, withFault("429")).finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
  });

  it("stream-error sends an error event mid-stream, which the SDK raises as an APIError", async () => {
    const stream = client.messages.stream(request, withFault("stream-error"));
    const texts: string[] = [];
    stream.on("text", (t) => texts.push(t));
    const err = await stream.finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).type).toBe("overloaded_error");
    expect(texts.length).toBeGreaterThan(0);
  });

  it("spend-limit is a 429 without retry-after that the SDK does not retry", async () => {
    const retrying = new Anthropic({ baseURL: sim.url, apiKey: "k", maxRetries: 2 });
    const before = sim.simulator.stats.requests;
    const err = await retrying.messages.create(request, { headers: { [SPEND_LIMIT_HEADER]: "1" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    const e = err as RateLimitError;
    expect(e.errorCode).toBe("enforced_spend_limit_reached");
    expect(e.details).toEqual({ error_code: "enforced_spend_limit_reached" });
    expect(e.headers.get("retry-after")).toBeNull();
    expect(sim.simulator.stats.requests - before).toBe(1);
  });

  it("stall goes silent mid-stream without closing, until the client leaves", async () => {
    const controller = new AbortController();
    const res = await rawPost(`${sim.url}/v1/messages`, { ...request, stream: true }, { [FAULT_HEADER]: "stall" }, controller.signal);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let seen = "";
    while (!seen.includes("content_block_delta")) seen += decoder.decode((await reader.read()).value);
    const next = await Promise.race([reader.read().then(() => "data"), new Promise((r) => setTimeout(() => r("silent"), 300))]);
    expect(next).toBe("silent");
    expect(seen).not.toContain("message_stop");
    expect(sim.simulator.stats.inFlight).toBe(1);
    controller.abort();
    const deadline = Date.now() + 1000;
    while (sim.simulator.stats.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(sim.simulator.stats.inFlight).toBe(0);
  });

  it("refuses an unknown fault name", async () => {
    const err = await client.messages.create(request, withFault("teapot")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as APIError).apiMessage).toContain(FAULT_HEADER);
  });
});

describe("configured fault rates", () => {
  it("injects faults at the configured rate for the matching model only, reproducibly under a seed", async () => {
    const runs: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const noisy = await startSimulatorServer({ latencyScale: 0, seed: 7, faultRates: { "claude-haiku": { "529": 0.3 } } });
      try {
        const c = new Anthropic({ baseURL: noisy.url, apiKey: "k", maxRetries: 0 });
        const statuses: number[] = [];
        for (let i = 0; i < 40; i++) {
          const res = await c.messages.create({ ...request, max_tokens: 8 }).then(
            () => 200,
            (e: APIError) => e.status ?? 0,
          );
          statuses.push(res);
        }
        const sonnet = await c.messages.create({ ...request, model: "claude-sonnet-4-6", max_tokens: 8 });
        expect(sonnet.type).toBe("message");
        runs.push(statuses);
      } finally {
        await noisy.close();
      }
    }
    const failures = runs[0]!.filter((s) => s === 529).length;
    expect(failures).toBeGreaterThan(3);
    expect(failures).toBeLessThan(25);
    expect(runs[0]!.every((s) => s === 200 || s === 529)).toBe(true);
    expect(runs[1]).toEqual(runs[0]);
  });
});
