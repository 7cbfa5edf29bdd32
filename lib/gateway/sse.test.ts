import { describe, expect, it } from "vitest";
import { SseObserver } from "./sse-observer";
import { messageToSse } from "./sse-replay";

const message = {
  id: "msg_01",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-6",
  content: [
    { type: "thinking", thinking: "Let me think.", signature: "sig-abc" },
    { type: "text", text: "Héllo wörld — ünïcode ✓ and emoji 🚀." },
    { type: "tool_use", id: "toolu_01", name: "lookup", input: { q: "rate limits", n: [1, 2, { deep: true }] } },
  ],
  stop_reason: "tool_use",
  stop_sequence: null,
  usage: {
    input_tokens: 12,
    output_tokens: 34,
    cache_read_input_tokens: 100,
    cache_creation_input_tokens: 50,
    cache_creation: { ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 30 },
  },
};

function observe(bytes: Buffer, chunkSize: number): SseObserver {
  let t = 0;
  const o = new SseObserver({ assemble: true, now: () => ++t });
  for (let i = 0; i < bytes.length; i += chunkSize) o.push(bytes.subarray(i, i + chunkSize));
  return o;
}

describe("messageToSse + SseObserver", () => {
  it("round-trips a message through SSE, whatever the chunk boundaries (even inside a UTF-8 character)", () => {
    const bytes = Buffer.from(messageToSse(message), "utf8");
    for (const size of [1, 2, 3, 7, 64, bytes.length]) {
      const o = observe(bytes, size);
      expect(o.complete).toBe(true);
      expect(o.finalMessage()).toEqual(message);
      expect(o.usage).toEqual({ inputTokens: 12, outputTokens: 34, cacheReadTokens: 100, cacheWrite5mTokens: 20, cacheWrite1hTokens: 30 });
      expect(o.stopReason).toBe("tool_use");
      expect(o.firstDeltaAt).toBeGreaterThan(o.firstByteAt!);
    }
  });

  it("handles CRLF framing, pings and unknown events", () => {
    const text = messageToSse(message).replaceAll("\n", "\r\n").replace("event: content_block_start", "event: ping\r\ndata: {\"type\":\"ping\"}\r\n\r\nevent: future_thing\r\ndata: {\"x\":1}\r\n\r\nevent: content_block_start");
    const o = observe(Buffer.from(text), 5);
    expect(o.finalMessage()).toEqual(message);
  });

  it("gives no final message for a stream cut short or ended by an error event, but keeps what it saw", () => {
    const full = messageToSse(message);
    const cut = observe(Buffer.from(full.slice(0, full.indexOf("event: message_delta"))), 16);
    expect(cut.complete).toBe(false);
    expect(cut.finalMessage()).toBeUndefined();
    expect(cut.usage.inputTokens).toBe(12);
    expect(cut.outputChars).toBeGreaterThan(20);

    const errored = observe(Buffer.from(`${full.slice(0, full.indexOf("event: message_delta"))}event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n`), 50);
    expect(errored.error).toEqual({ type: "overloaded_error", message: "Overloaded" });
    expect(errored.finalMessage()).toBeUndefined();
  });

  it("without assemble it still learns usage and stop reason but keeps no message", () => {
    const o = new SseObserver({ assemble: false, now: () => 1 });
    o.push(Buffer.from(messageToSse(message)));
    expect(o.finalMessage()).toBeUndefined();
    expect(o.usage.outputTokens).toBe(34);
    expect(o.stopReason).toBe("tool_use");
  });

  it("counts a cache write reported only as a total as 5-minute writes", () => {
    const legacy = { ...message, usage: { input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 70, cache_read_input_tokens: 0 } };
    const o = observe(Buffer.from(messageToSse(legacy)), 100);
    expect(o.usage).toMatchObject({ cacheWrite5mTokens: 70, cacheWrite1hTokens: 0 });
  });

  it("keeps the cache-write split of message_start when message_delta carries only the total", () => {
    const frames = [
      `event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { ...message, content: [], usage: { input_tokens: 5, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 900, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 900 } } } })}\n\n`,
      `event: message_delta\ndata: ${JSON.stringify({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { input_tokens: 5, output_tokens: 40, cache_read_input_tokens: 0, cache_creation_input_tokens: 900 } })}\n\n`,
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    ];
    const o = observe(Buffer.from(frames.join("")), 64);
    expect(o.usage).toEqual({ inputTokens: 5, outputTokens: 40, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 900 });
  });

  it("replays a text block with citations as start + text delta + citation deltas", () => {
    const cited = { ...message, content: [{ type: "text", text: "Cited.", citations: [{ type: "char_location", cited_text: "x", document_index: 0, start_char_index: 0, end_char_index: 1 }] }] };
    const o = observe(Buffer.from(messageToSse(cited)), 9);
    expect(o.finalMessage()).toEqual(cited);
  });
});
