import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSseFrames, rawPost, type SseFrame } from "./testing/sse-frames";
import { startSimulatorServer, type SimulatorServer } from "./server";

let sim: SimulatorServer;
beforeAll(async () => {
  sim = await startSimulatorServer({ latencyScale: 0 });
});
afterAll(() => sim.close());

async function streamFrames(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ raw: string; frames: SseFrame[]; res: Response }> {
  const res = await rawPost(`${sim.url}/v1/messages`, { stream: true, ...body }, headers);
  const raw = await res.text();
  return { raw, frames: parseSseFrames(raw), res };
}

/**
 * The stream grammar: message_start, then per block content_block_start, >= 1 delta,
 * content_block_stop (indexes 0, 1, ... in order), then message_delta(s), then message_stop;
 * ping anywhere. Returns the event names without pings.
 */
function checkGrammar(frames: SseFrame[]): string[] {
  const events = frames.map((f) => f.event!).filter((e) => e !== "ping");
  expect(events[0]).toBe("message_start");
  expect(events.at(-1)).toBe("message_stop");
  let i = 1;
  let index = 0;
  while (events[i] === "content_block_start") {
    const start = JSON.parse(frames.filter((f) => f.event !== "ping")[i]!.data!) as { index: number };
    expect(start.index).toBe(index);
    i++;
    let deltas = 0;
    while (events[i] === "content_block_delta") {
      deltas++;
      i++;
    }
    expect(deltas).toBeGreaterThanOrEqual(1);
    expect(events[i]).toBe("content_block_stop");
    i++;
    index++;
  }
  expect(index).toBeGreaterThanOrEqual(1);
  let messageDeltas = 0;
  while (events[i] === "message_delta") {
    messageDeltas++;
    i++;
  }
  expect(messageDeltas).toBeGreaterThanOrEqual(1);
  expect(i).toBe(events.length - 1);
  return events;
}

describe("SSE framing on the raw bytes", () => {
  it("frames every event as an event: line and a data: line whose type matches", async () => {
    const { raw, frames, res } = await streamFrames({ model: "claude-opus-4-6", max_tokens: 300, messages: [{ role: "user", content: "hello" }] });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    expect(raw.endsWith("\n\n")).toBe(true);
    for (const frame of frames) {
      expect(frame.lines).toHaveLength(2);
      expect(frame.lines[0]).toMatch(/^event: [a-z_]+$/);
      expect(frame.lines[1]).toMatch(/^data: \{.*\}$/);
      expect((JSON.parse(frame.data!) as { type: string }).type).toBe(frame.event);
    }
    expect(frames.some((f) => f.event === "ping")).toBe(true);
    checkGrammar(frames);
  });

  it("carries usage in message_start and cumulative usage with stop_reason in message_delta", async () => {
    const { frames } = await streamFrames({ model: "claude-sonnet-4-6", max_tokens: 300, messages: [{ role: "user", content: "usage please" }] });
    const start = JSON.parse(frames.find((f) => f.event === "message_start")!.data!) as { message: { usage: Record<string, unknown>; content: unknown[] } };
    expect(start.message.content).toEqual([]);
    expect(start.message.usage).toMatchObject({ input_tokens: expect.any(Number), cache_read_input_tokens: 0, cache_creation_input_tokens: 0, output_tokens: 1 });
    const delta = JSON.parse(frames.find((f) => f.event === "message_delta")!.data!) as { delta: { stop_reason: string }; usage: { output_tokens: number; input_tokens: number } };
    expect(["end_turn", "max_tokens"]).toContain(delta.delta.stop_reason);
    expect(delta.usage.input_tokens).toBe(start.message.usage.input_tokens);
    const textLength = frames
      .filter((f) => f.event === "content_block_delta")
      .map((f) => (JSON.parse(f.data!) as { delta: { text: string } }).delta.text)
      .join("").length;
    expect(delta.usage.output_tokens).toBe(Math.ceil(textLength / 4));
  });

  it("streams a text block then a tool_use block whose input_json_delta pieces parse", async () => {
    const { frames } = await streamFrames({
      model: "claude-sonnet-4-6",
      max_tokens: 500,
      tools: [{ name: "fetch_page", input_schema: { type: "object", properties: { url: { type: "string" } }, required: ["url"] } }],
      messages: [{ role: "user", content: "Please fetch_page the changelog." }],
    });
    checkGrammar(frames);
    const starts = frames.filter((f) => f.event === "content_block_start").map((f) => (JSON.parse(f.data!) as { content_block: { type: string } }).content_block);
    expect(starts.map((b) => b.type)).toEqual(["text", "tool_use"]);
    expect(starts[1]).toMatchObject({ type: "tool_use", name: "fetch_page", input: {} });
    const json = frames
      .filter((f) => f.event === "content_block_delta")
      .map((f) => JSON.parse(f.data!) as { index: number; delta: { type: string; partial_json?: string } })
      .filter((d) => d.index === 1)
      .map((d) => {
        expect(d.delta.type).toBe("input_json_delta");
        return d.delta.partial_json;
      })
      .join("");
    expect(JSON.parse(json)).toMatchObject({ url: expect.any(String) });
    const delta = JSON.parse(frames.find((f) => f.event === "message_delta")!.data!) as { delta: { stop_reason: string } };
    expect(delta.delta.stop_reason).toBe("tool_use");
  });

  it("ends a stream-error stream with an error event in Anthropic's shape", async () => {
    const { frames } = await streamFrames({ model: "claude-sonnet-4-6", max_tokens: 300, messages: [{ role: "user", content: "x" }] }, { "x-simulator-fault": "stream-error" });
    const last = frames.at(-1)!;
    expect(last.event).toBe("error");
    expect(JSON.parse(last.data!)).toMatchObject({ type: "error", error: { type: "overloaded_error" }, request_id: expect.stringMatching(/^req_/) });
    expect(frames.some((f) => f.event === "message_stop")).toBe(false);
  });

  it("writes each frame as it is produced, not in one burst", async () => {
    const paced = await startSimulatorServer({ fixedLatencyMs: 0, deltaIntervalMs: 20 });
    try {
      const res = await rawPost(`${paced.url}/v1/messages`, { stream: true, model: "claude-haiku-4-5", max_tokens: 60, messages: [{ role: "user", content: "go" }] });
      const reader = res.body!.getReader();
      const arrivals: number[] = [];
      for (;;) {
        const { done } = await reader.read();
        if (done) break;
        arrivals.push(Date.now());
      }
      // Several reads spread over time: deltas 20 ms apart arrive separately.
      expect(arrivals.length).toBeGreaterThan(3);
      expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(40);
    } finally {
      await paced.close();
    }
  });
});
