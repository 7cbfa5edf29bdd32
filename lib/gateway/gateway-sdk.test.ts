import http from "node:http";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { events } from "@/db/schema";
import { eq } from "drizzle-orm";
import { listEvents } from "../metrics/event-list";
import { getSummary } from "../metrics/get-summary";
import { flushRollups } from "../metrics/rollup-upkeep";
import { EventListParams, SummaryParams } from "../metrics/schemas";
import { startSimulatorServer } from "../simulator";
import { projectWithKey } from "../auth/testing/project-with-key";
import { serveHandler } from "../http/testing/serve-handler";
import { createGateway } from "./gateway";
import { startHarness, waitFor, waitForEvents, type Harness } from "./testing/gateway-harness";
import { resolveUpstream } from "./upstream";

const MODEL = "claude-sonnet-4-6";
let handle: DbHandle;
let projectId: string;
let h: Harness;
let paced: Harness;
let client: Anthropic;

beforeAll(async () => {
  handle = await createTestDb();
  const p = await projectWithKey(handle.db);
  projectId = p.project.id;
  h = await startHarness(handle, p.key);
  // Deltas 20 ms apart, so "text arrives before the end" is observable.
  paced = await startHarness(handle, p.key, { sim: { fixedLatencyMs: 0, deltaIntervalMs: 20 } });
  client = h.client();
});
afterAll(async () => {
  await h?.close();
  await paced?.close();
  await handle?.close();
});

describe("gateway with the official SDK", () => {
  it("answers a non-streaming message and records it with tokens, cost and the x-pitwall headers", async () => {
    const { data: message, response } = await client.messages
      .create(
        { model: MODEL, max_tokens: 256, system: "You are terse.", messages: [{ role: "user", content: "How do I rotate an API key?" }], metadata: { user_id: "u-42" } },
        { headers: { "x-pitwall-route": "support/answer", "x-pitwall-agent": "helpdesk", "x-pitwall-session": "s-1", "x-pitwall-tags": "team=core,env=test" } },
      )
      .withResponse();
    expect(message.type).toBe("message");
    expect(message.model).toBe(MODEL);
    expect(message.content[0]!.type).toBe("text");
    const id = response.headers.get("x-pitwall-request-id")!;
    expect(id).toMatch(/^gw_[0-9a-f]{32}$/);
    expect(response.headers.get("x-pitwall-model")).toBe(MODEL);
    expect(response.headers.get("x-pitwall-cache")).toBe("BYPASS");
    expect(response.headers.get("x-pitwall-policy-version")).toBe("0");
    expect(response.headers.get("request-id")).toMatch(/^req_/); // the upstream's, relayed

    const row = (await waitForEvents(handle, projectId, [id])).get(id)!;
    expect(row).toMatchObject({
      kind: "llm",
      provider: "anthropic",
      model: MODEL,
      requestedModel: MODEL,
      status: "ok",
      httpStatus: 200,
      streamed: false,
      route: "support/answer",
      agent: "helpdesk",
      sessionId: "s-1",
      userId: "u-42",
      tags: { team: "core", env: "test" },
      inputTokens: message.usage.input_tokens,
      outputTokens: message.usage.output_tokens,
      cacheReadTokens: 0,
      responseCache: "none",
      costSource: "computed",
      messageCount: 1,
      toolCount: 0,
      ttftMs: null,
    });
    // claude-sonnet-4-6: 3000 nano-USD per input token, 15000 per output token.
    expect(row.costNanoUsd).toBe(BigInt(message.usage.input_tokens * 3000 + message.usage.output_tokens * 15000));
    expect(row.latencyMs).toBeGreaterThan(0);
    expect(row.promptHash).toMatch(/^[0-9a-f]{32}$/);
    expect(row.systemHash).toMatch(/^[0-9a-f]{32}$/);
    expect(row.metadata).toMatchObject({ gatewayRequestId: id, stopReason: message.stop_reason, upstreamRequestId: response.headers.get("request-id") });
  });

  it("accepts the key as x-api-key too (older clients, curl)", async () => {
    const res = await fetch(`${h.baseURL}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": (client.apiKey ?? "") as string, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: MODEL, max_tokens: 32, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { type: string }).type).toBe("message");
  });

  it("streams with messages.stream(): text arrives before the final message, and the call is recorded with TTFT", async () => {
    const c = paced.client();
    const stream = c.messages.stream({ model: MODEL, max_tokens: 200, messages: [{ role: "user", content: "Explain streaming in a few sentences." }] });
    let finalResolved = false;
    const textWhileOpen: number[] = [];
    stream.on("text", () => {
      if (!finalResolved) textWhileOpen.push(Date.now());
    });
    const { response } = await stream.withResponse();
    const final = await stream.finalMessage();
    finalResolved = true;
    expect(textWhileOpen.length).toBeGreaterThan(3);
    // Deltas are 20 ms apart upstream; arriving spread out proves they were not batched.
    expect(textWhileOpen[textWhileOpen.length - 1]! - textWhileOpen[0]!).toBeGreaterThan(40);
    expect(final.stop_reason).toBeTruthy();
    const id = response.headers.get("x-pitwall-request-id")!;
    const row = (await waitForEvents(handle, projectId, [id])).get(id)!;
    expect(row).toMatchObject({ streamed: true, status: "ok", inputTokens: final.usage.input_tokens, outputTokens: final.usage.output_tokens });
    expect(row.ttftMs).toBeGreaterThanOrEqual(0);
    expect(row.ttftMs!).toBeLessThanOrEqual(row.latencyMs!);
    expect(row.metadata).toMatchObject({ stopReason: final.stop_reason });
  });

  it("passes tool use through, streamed and not, with the tool input intact", async () => {
    const tools: Anthropic.Tool[] = [
      {
        name: "get_weather",
        description: "Weather for a city",
        input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    ];
    const ask = { model: MODEL, max_tokens: 512, tools, tool_choice: { type: "any" as const }, messages: [{ role: "user" as const, content: "Weather in Paris?" }] };
    const { data: plain, response } = await client.messages.create(ask).withResponse();
    expect(plain.stop_reason).toBe("tool_use");
    const toolUse = plain.content.find((b) => b.type === "tool_use");
    expect(toolUse?.type === "tool_use" && toolUse.name).toBe("get_weather");
    expect(toolUse?.type === "tool_use" && typeof (toolUse.input as { city?: unknown }).city).toBe("string");

    const streamed = await client.messages.stream(ask).finalMessage();
    const streamedTool = streamed.content.find((b) => b.type === "tool_use");
    expect(streamedTool?.type === "tool_use" && streamedTool.input).toEqual(expect.objectContaining({ city: expect.any(String) }));

    const id = response.headers.get("x-pitwall-request-id")!;
    const row = (await waitForEvents(handle, projectId, [id])).get(id)!;
    expect(row.toolCount).toBe(1);
    expect(row.metadata).toMatchObject({ stopReason: "tool_use" });
  });

  it("counts tokens through the gateway as the upstream counts them, recorded as a free count_tokens event that no dashboard counts as a call", async () => {
    const params = { model: MODEL, system: "Be brief.", messages: [{ role: "user" as const, content: "Count these words for me please." }] };
    const { project, key } = await projectWithKey(handle.db);
    const own = h.client({ apiKey: key });
    const { data: viaGateway, response } = await own.messages.countTokens(params, { headers: { "x-pitwall-route": "budget/check", "x-pitwall-agent": "planner" } }).withResponse();
    const direct = await new Anthropic({ baseURL: h.sim.url, apiKey: "direct", maxRetries: 0 }).messages.countTokens(params);
    expect(viaGateway.input_tokens).toBeGreaterThan(0);
    expect(viaGateway).toEqual(direct);
    const id = response.headers.get("x-pitwall-request-id")!;
    expect(id).toMatch(/^gw_[0-9a-f]{32}$/);
    expect(response.headers.get("x-pitwall-model")).toBe(MODEL);

    const row = (await waitForEvents(handle, project.id, [id])).get(id)!;
    expect(row).toMatchObject({
      kind: "count_tokens",
      model: MODEL,
      requestedModel: MODEL,
      status: "ok",
      httpStatus: 200,
      route: "budget/check",
      agent: "planner",
      inputTokens: 0,
      outputTokens: 0,
      costNanoUsd: 0n,
      costSource: "computed",
      messageCount: 1,
    });
    expect(row.metadata).toMatchObject({ gatewayRequestId: id, countedInputTokens: viaGateway.input_tokens });
    expect(row.latencyMs).toBeGreaterThan(0);

    // One real call next to it: the dashboards (kind llm by default) count that one only.
    await own.messages.create({ ...params, max_tokens: 16 });
    await waitFor(async () => (await handle.db.select().from(events).where(eq(events.projectId, project.id))).length === 2);
    await flushRollups(handle.db);
    const llm = await getSummary(handle.db, project.id, SummaryParams.parse({ range: "1h" }));
    expect(llm.requests).toBe(1);
    const counts = await getSummary(handle.db, project.id, SummaryParams.parse({ range: "1h", kind: "count_tokens" }));
    expect(counts).toMatchObject({ requests: 1, costNanoUsd: "0", inputTokens: 0 });
    // The events list shows it.
    const listed = await listEvents(handle.db, project.id, EventListParams.parse({ range: "1h" }));
    expect(listed.events.map((e) => e.kind).sort()).toEqual(["count_tokens", "llm"]);
  });

  it("a count_tokens call with a non-ASCII model is the SDK's 400 and reaches no upstream", async () => {
    const before = h.sim.simulator.stats.requests;
    const err = await client.messages.countTokens({ model: "claude-é", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(h.sim.simulator.stats.requests).toBe(before);
  });

  it("forwards every request field untouched when no policy changes anything", async () => {
    const seen: Record<string, unknown>[] = [];
    const capture = await startSimulatorServer({ latencyScale: 0 });
    // A recording hop in front of the simulator: what the upstream actually receives.
    const hop = await serveHandler(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      seen.push(JSON.parse(body.toString("utf8")) as Record<string, unknown>);
      const up = http.request(`${capture.url}${req.url}`, { method: "POST", headers: req.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      up.end(body);
    });
    const gw = createGateway({ getDb: () => handle.db, upstream: resolveUpstream({ PITWALL_UPSTREAM_URL: hop.url }) });
    const served = await serveHandler(gw.handler);
    try {
      const body = {
        model: MODEL,
        max_tokens: 64,
        stop_sequences: ["\n\nHuman:"],
        metadata: { user_id: "u-1" },
        service_tier: "auto",
        some_future_field: { nested: [1, 2, 3] },
        messages: [{ role: "user", content: [{ type: "text", text: "hello" }] }],
      };
      const res = await fetch(`${served.url}/gateway/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${client.apiKey}`, "anthropic-version": "2023-06-01" },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      expect(seen).toEqual([body]);
    } finally {
      await served.close();
      await gw.close();
      await hop.close();
      await capture.close();
    }
  });
});
