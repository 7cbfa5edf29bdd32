import Anthropic, { BadRequestError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OUTPUT_TOKENS_HEADER } from "./reply-length";
import { startSimulatorServer, type SimulatorServer } from "./server";

let sim: SimulatorServer;
let client: Anthropic;
beforeAll(async () => {
  sim = await startSimulatorServer({ latencyScale: 0 });
  client = new Anthropic({ baseURL: sim.url, apiKey: "k", maxRetries: 0 });
});
afterAll(() => sim.close());

const params = { model: "claude-sonnet-4-6", max_tokens: 4096, messages: [{ role: "user" as const, content: "Write the report." }] };

describe(`${OUTPUT_TOKENS_HEADER}`, () => {
  it("sets the reply's length in tokens, streamed or not, still cut at max_tokens", async () => {
    const long = await client.messages.create(params, { headers: { [OUTPUT_TOKENS_HEADER]: "1200" } });
    expect(long.usage.output_tokens).toBe(1200);
    const streamed = await client.messages.stream(params, { headers: { [OUTPUT_TOKENS_HEADER]: "1200" } }).finalMessage();
    expect(streamed.usage.output_tokens).toBe(1200);
    expect(streamed.content).toEqual(long.content);
    const capped = await client.messages.create({ ...params, max_tokens: 100 }, { headers: { [OUTPUT_TOKENS_HEADER]: "1200" } });
    expect(capped.usage.output_tokens).toBe(100);
    expect(capped.stop_reason).toBe("max_tokens");
  });

  it("refuses a value that is not a whole number of tokens", async () => {
    for (const bad of ["0", "-5", "1.5", "lots", "999999"]) {
      const err = await client.messages.create(params, { headers: { [OUTPUT_TOKENS_HEADER]: bad } }).catch((e: unknown) => e);
      expect(err, bad).toBeInstanceOf(BadRequestError);
    }
  });
});
