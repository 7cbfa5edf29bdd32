import { APIError } from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { createIngestHandler } from "../ingestion/http-handler";
import { createPitwall } from "../sdk/pitwall";
import { serveHandler } from "../http/testing/serve-handler";
import { getTrace } from "../traces/trace-queries";
import { waitForEvents } from "./testing/gateway-harness";
import { gatewayWorldForFile } from "./testing/gateway-world";

const world = gatewayWorldForFile();

const body = { model: "claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user" as const, content: "hi" }] };

describe("trace context through the gateway", () => {
  it("files an LLM call made inside an SDK tool span under that span, in the trace view too", async () => {
    const ingest = await serveHandler(createIngestHandler(() => world.handle.db));
    try {
      const pitwall = createPitwall({ baseUrl: ingest.url, apiKey: world.key, agent: "traced", flushOnExit: false });
      let traceId = "";
      let toolId = "";
      let gatewayId = "";
      await pitwall.trace("ticket", async (ctx) => {
        traceId = ctx.traceId;
        await pitwall.tool("draft", async (tool) => {
          toolId = tool.parentId!;
          const { response } = await world.h.client().messages.create(body, { headers: pitwall.traceHeaders() }).withResponse();
          gatewayId = response.headers.get("x-pitwall-request-id")!;
        });
      });
      await pitwall.flush();
      const rows = await waitForEvents(world.handle, world.projectId, [gatewayId, toolId]);
      expect(rows.get(gatewayId)).toMatchObject({ kind: "llm", traceId, parentId: toolId });
      expect(rows.get(toolId)).toMatchObject({ kind: "tool", traceId, parentId: null });

      const trace = await getTrace(world.handle.db, world.projectId, traceId);
      expect(trace.events.map((e) => e.id).sort()).toEqual([gatewayId, toolId].sort());
      const llmRow = trace.waterfall.rows.find((r) => r.id === gatewayId)!;
      expect(llmRow).toMatchObject({ parentId: toolId, depth: 1 });
    } finally {
      await ingest.close();
    }
  });

  it("records a W3C traceparent's trace and parent span", async () => {
    const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const { response } = await world.h.client().messages.create(body, { headers: { traceparent: `00-${trace}-00f067aa0ba902b7-01` } }).withResponse();
    const id = response.headers.get("x-pitwall-request-id")!;
    const row = (await waitForEvents(world.handle, world.projectId, [id])).get(id)!;
    expect(row).toMatchObject({ traceId: trace, parentId: `${trace}-00f067aa0ba902b7` });
  });

  for (const headers of [{ traceparent: "00-abc-def-01" }, { "x-pitwall-parent-id": "p1" }, { "x-pitwall-trace-id": "bad id" }]) {
    it(`refuses ${JSON.stringify(headers)} with a 400 before the upstream`, async () => {
      const before = world.h.sim.simulator.stats.requests;
      const err = await world.h.client().messages.create(body, { headers }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(APIError);
      expect((err as APIError).status).toBe(400);
      expect((err as APIError).error).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      expect(world.h.sim.simulator.stats.requests).toBe(before);
    });
  }
});
