import { describe, expect, it } from "vitest";
import { FAULT_HEADER } from "../simulator";
import { startHarness, waitFor, waitForEvents } from "./testing/gateway-harness";
import { gatewayWorldForFile } from "./testing/gateway-world";

const MODEL = "claude-sonnet-4-6";
// A slow stream: a delta every 100 ms.
const world = gatewayWorldForFile({ sim: { fixedLatencyMs: 0, deltaIntervalMs: 100 } });

const longAsk = { model: MODEL, max_tokens: 4000, messages: [{ role: "user" as const, content: "Write a long, detailed essay about rate limits." }] };

describe("client disconnects", () => {
  it("a client leaving mid-stream aborts the upstream within 1 s and is recorded as aborted with the tokens seen", async () => {
    const controller = new AbortController();
    const stream = world.h.client().messages.stream(longAsk, { signal: controller.signal });
    const { response } = await stream.withResponse();
    const id = response.headers.get("x-pitwall-request-id")!;
    let texts = 0;
    await new Promise<void>((resolve) => {
      stream.on("text", () => {
        if (++texts === 3) resolve();
      });
    });
    const abortedBefore = world.h.sim.simulator.stats.aborted;
    const t = Date.now();
    controller.abort();
    await stream.done().catch(() => {});
    await waitFor(() => world.h.sim.simulator.stats.aborted > abortedBefore, 1_000);
    expect(Date.now() - t).toBeLessThan(1_000);
    expect(world.h.sim.simulator.stats.inFlight).toBe(0);

    const row = (await waitForEvents(world.handle, world.projectId, [id])).get(id)!;
    expect(row).toMatchObject({ status: "aborted", errorType: "client_closed", streamed: true, httpStatus: 200 });
    expect(row.inputTokens).toBeGreaterThan(0);
    expect(row.outputTokens).toBeGreaterThan(0);
    expect(row.metadata).toMatchObject({ outputTokensEstimated: true });
  });

  it("a client leaving before the first byte aborts the waiting upstream request too", async () => {
    const controller = new AbortController();
    const pending = world.h.client().messages.create(longAsk, { signal: controller.signal, headers: { [FAULT_HEADER]: "stall" } }).catch(() => {});
    await waitFor(() => world.h.sim.simulator.stats.inFlight === 1, 2_000);
    const abortedBefore = world.h.sim.simulator.stats.aborted;
    controller.abort();
    await pending;
    await waitFor(() => world.h.sim.simulator.stats.aborted > abortedBefore, 1_000);
    // Recorded as aborted with no tokens (nothing came back).
    await world.h.writer.flush();
    await waitFor(async () => {
      const rows = await world.handle.db.query.events.findMany({ where: (e, { and, eq }) => and(eq(e.projectId, world.projectId), eq(e.status, "aborted"), eq(e.httpStatus, 499)) });
      return rows.length === 1 && rows[0]!.outputTokens === 0;
    }, 5_000);
  });

  it("gateway shutdown ends a stream in flight with an error event and records it once as gateway_shutdown", async () => {
    const own = await startHarness(world.handle, world.key, { sim: { fixedLatencyMs: 0, deltaIntervalMs: 100 } });
    const stream = own.client().messages.stream(longAsk);
    const { response } = await stream.withResponse();
    const id = response.headers.get("x-pitwall-request-id")!;
    await new Promise<void>((resolve) => stream.on("text", () => resolve()));
    await own.gateway.close();
    expect(own.gateway.active).toBe(0);
    await own.writer.close();
    // The client sees the API's error event, not a cut connection.
    const err = (await stream.done().then(
      () => undefined,
      (e: unknown) => e,
    )) as { error?: { error?: { type?: string; message?: string } } } | undefined;
    expect(err?.error?.error).toMatchObject({ type: "overloaded_error", message: expect.stringMatching(/restarting/) });
    const row = (await waitForEvents(world.handle, world.projectId, [id])).get(id)!;
    expect(row).toMatchObject({ status: "error", errorType: "gateway_shutdown", streamed: true, httpStatus: 200 });
    expect(row.outputTokens).toBeGreaterThan(0);
    // A request after the shutdown is refused in the API's shape, with Retry-After.
    const after = await fetch(`${own.baseURL}/v1/messages`, { method: "POST", headers: { "x-api-key": world.key, "content-type": "application/json" }, body: JSON.stringify(longAsk) });
    expect(after.status).toBe(503);
    expect(after.headers.get("retry-after")).toBe("1");
    expect(((await after.json()) as { error: { type: string } }).error.type).toBe("api_error");
    await own.close().catch(() => {});
  });
});

