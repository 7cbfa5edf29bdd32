import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveHandler } from "../http/testing/serve-handler";
import { readBody } from "../http/read-body";
import { createSimulator } from "../simulator/handler";
import { startDemoTraffic } from "./demo-traffic";

type Seen = { headers: Record<string, string | string[] | undefined>; body: { model: string; stream?: boolean; messages: { role: string; content: unknown }[] } };

// The simulator behind a recorder: what the demo sends is what a gateway would receive.
const simulator = createSimulator({ latencyScale: 0 });
const seen: Seen[] = [];
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  server = await serveHandler(async (req, res) => {
    const raw = await readBody(req, 32 * 1024 * 1024);
    const body = JSON.parse(raw.toString("utf8")) as Seen["body"];
    seen.push({ headers: { ...req.headers }, body });
    // Replay the body for the simulator, which reads the request itself.
    const { Readable } = await import("node:stream");
    const replay = Object.assign(Readable.from([raw]), { headers: req.headers, method: req.method, url: req.url }) as unknown as typeof req;
    await simulator(replay, res);
  });
});
afterAll(async () => {
  simulator.close();
  await server.close();
});

describe("demo traffic", () => {
  it("runs agent sessions with routing headers, tool rounds, prompt caching and some faults", async () => {
    const demo = startDemoTraffic({ baseUrl: server.url, apiKey: "pw_sk_demo", rate: 60, durationMs: 4_000, seed: 99, concurrency: 8 });
    await demo.done;
    const stats = demo.stats;
    expect(stats.calls).toBeGreaterThan(40);
    expect(stats.ok + stats.failed + stats.aborted).toBe(stats.calls);
    // Calls cut by the end of the run may not have reached the server; every other one did.
    expect(seen.length).toBeGreaterThanOrEqual(stats.ok + stats.failed);
    expect(seen.length).toBeLessThanOrEqual(stats.calls);
    expect(stats.ok).toBeGreaterThan(stats.calls * 0.8);
    expect(Object.keys(stats.byRoute).sort()).toEqual(["code-review", "research-planner", "support-answer"]);
    expect(stats.toolRounds).toBeGreaterThan(0);
    expect(stats.cacheReadTokens).toBeGreaterThan(0);
    expect(stats.cacheWriteTokens).toBeGreaterThan(0);
    const faulted = seen.filter((s) => s.headers["x-simulator-fault"]);
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(faulted.length).toBeGreaterThan(0);
    expect(faulted.length).toBeLessThan(seen.length * 0.15);
    expect(stats.failed).toBeGreaterThanOrEqual(faulted.filter((s) => s.headers["x-simulator-fault"] !== "stall").length);

    for (const { headers } of seen) {
      expect(headers["x-pitwall-route"]).toMatch(/^(support-answer|code-review|research-planner)$/);
      expect(headers["x-pitwall-agent"]).toBeTruthy();
      expect(headers["x-pitwall-session"]).toMatch(/^demo-/);
      expect(headers["x-pitwall-tags"]).toMatch(/^team=/);
      expect(headers["authorization"]).toBe("Bearer pw_sk_demo");
    }
    // Tool results go back in the same session.
    const withToolResult = seen.filter((s) => JSON.stringify(s.body.messages).includes('"tool_result"'));
    expect(withToolResult.length).toBeGreaterThan(0);
    const sessions = new Map<string, number>();
    for (const s of seen) sessions.set(String(s.headers["x-pitwall-session"]), (sessions.get(String(s.headers["x-pitwall-session"])) ?? 0) + 1);
    expect([...sessions.values()].some((n) => n > 1)).toBe(true);
    // Both call styles, and repeats of the same support question.
    expect(seen.some((s) => s.body.stream === true)).toBe(true);
    expect(seen.some((s) => !s.body.stream)).toBe(true);
    const support = seen.filter((s) => s.headers["x-pitwall-route"] === "support-answer").map((s) => JSON.stringify(s.body.messages));
    expect(new Set(support).size).toBeLessThan(support.length);
    expect(seen.filter((s) => s.headers["x-pitwall-cache-ttl"]).length).toBe(support.length);
  });

  it("stops promptly on stop()", async () => {
    const demo = startDemoTraffic({ baseUrl: server.url, apiKey: "pw_sk_demo", rate: 1, seed: 1 });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await demo.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe("demo traffic against a stream that stalls after its headers", () => {
  it("gives the stream up after the stall time, not when the upstream lets go", async () => {
    const stallSim = createSimulator({ latencyScale: 0 });
    const closedAfterMs: number[] = [];
    const stalling = await serveHandler(async (req, res) => {
      const raw = await readBody(req, 32 * 1024 * 1024);
      const body = JSON.parse(raw.toString("utf8")) as Seen["body"];
      if (!body.stream) {
        const { Readable } = await import("node:stream");
        const replay = Object.assign(Readable.from([raw]), { headers: req.headers, method: req.method, url: req.url }) as unknown as typeof req;
        return stallSim(replay, res);
      }
      // Headers and one event, then silence: the SDK's timeout has stopped counting by now.
      const started = Date.now();
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { id: "msg_stall", type: "message", role: "assistant", model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 0 } } })}\n\n`);
      res.on("close", () => closedAfterMs.push(Date.now() - started));
    });
    try {
      const demo = startDemoTraffic({ baseUrl: stalling.url, apiKey: "pw_sk_demo", rate: 40, durationMs: 15_000, seed: 7, concurrency: 4, stallTimeoutMs: 300 });
      // Without the guard the first stalled stream would stay open until the run stops at 15 s.
      const deadline = Date.now() + 8_000;
      while (closedAfterMs.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await demo.stop();
      expect(closedAfterMs.length).toBeGreaterThan(0);
      expect(closedAfterMs[0]).toBeGreaterThanOrEqual(250);
      expect(closedAfterMs[0]).toBeLessThan(2_000);
      expect(demo.stats.failed).toBeGreaterThan(0);
    } finally {
      stallSim.close();
      await stalling.close();
    }
  }, 20_000);
});

