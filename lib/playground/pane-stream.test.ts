import { describe, expect, it } from "vitest";
import { abort, errorMessageOf, figuresOf, finish, newPaneLive, onHead, pushChunk } from "./pane-stream";

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n] ?? null });
const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

describe("pane stream", () => {
  it("assembles text, usage by kind and the served model from the gateway's SSE, frames split anywhere", () => {
    const p = newPaneLive(1000);
    onHead(p, headers({ "x-pitwall-request-id": "gw_1", "x-pitwall-model": "claude-haiku-4-5", "x-pitwall-cache": "MISS", "x-pitwall-elapsed-ms": "40.5" }), 1050);
    const body =
      frame("message_start", { type: "message_start", message: { model: "claude-haiku-4-5", usage: { input_tokens: 12, cache_read_input_tokens: 300, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 20 }, output_tokens: 1 } } }) +
      frame("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello" } }) +
      frame("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: " world" } }) +
      frame("message_delta", { type: "message_delta", usage: { output_tokens: 2 } }) +
      frame("message_stop", { type: "message_stop" });
    // Cut in the middle of frames; each delta's frame completes in a later chunk.
    const second = body.indexOf("event: content_block_delta", body.indexOf("Hello"));
    const chunks: [string, number][] = [
      [body.slice(0, body.indexOf("Hello")), 1100],
      [body.slice(body.indexOf("Hello"), second + 10), 1120],
      [body.slice(second + 10, body.indexOf("message_delta")), 1180],
      [body.slice(body.indexOf("message_delta")), 1200],
    ];
    for (const [chunk, at] of chunks) pushChunk(p, chunk, at);
    finish(p, 1210);
    expect(p.text).toBe("Hello world");
    expect(p.status).toBe("done");
    expect(p.usage).toEqual({ inputTokens: 12, cacheReadTokens: 300, cacheWrite5mTokens: 0, cacheWrite1hTokens: 20, outputTokens: 2 });
    expect(p.eventId).toBe("gw_1");
    const f = figuresOf(p, 1300);
    // The gateway's 40.5 ms at the head, plus head -> first delta seen here (1120 - 1050).
    expect(f.ttftMs).toBeCloseTo(40.5 + 70, 6);
    expect(f.elapsedMs).toBe(210);
    expect(p.arrivals.map((a) => a.atMs)).toEqual([0, 60]);
    expect(f.maxGapMs).toBe(60);
  });

  it("shows the gateway's TTFT and recorded cache status when the stream carries them", () => {
    const p = newPaneLive(1000);
    onHead(p, headers({ "x-pitwall-cache": "BYPASS", "x-pitwall-cache-status": "none", "x-pitwall-elapsed-ms": "40" }), 1050);
    pushChunk(p, frame("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" } }) + frame("pitwall_timing", { ttft_ms: 52.25 }), 1090);
    expect(p.responseCache).toBe("none");
    const f = figuresOf(p, 1100);
    // Not 40 + (1090 - 1050): the browser's delay between head and first chunk is not the call's.
    expect(f.ttftMs).toBe(52.25);
    expect(f.browserTtftMs).toBe(90);
    // Without the status header, the gateway's header, lowercased.
    const q = newPaneLive(0);
    onHead(q, headers({ "x-pitwall-cache": "MISS" }), 1);
    expect(q.responseCache).toBe("miss");
  });

  it("shows an error event's message and keeps the status", () => {
    const p = newPaneLive(0);
    onHead(p, headers({}), 1);
    pushChunk(p, frame("error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }), 2);
    finish(p, 3);
    expect(p.status).toBe("error");
    expect(p.error).toBe("overloaded_error: Overloaded");
  });

  it("is aborted by Stop (twice is the same), and not after it is done", () => {
    const p = newPaneLive(0);
    abort(p, 5);
    abort(p, 6);
    expect(p.status).toBe("aborted");
    expect(p.endedAt).toBe(5);
  });

  it("reads Anthropic's and Pitwall's error bodies", () => {
    expect(errorMessageOf(404, '{"type":"error","error":{"type":"not_found_error","message":"model: x"}}')).toBe("404 not_found_error: model: x");
    expect(errorMessageOf(403, '{"error":{"code":"forbidden:role","message":"This needs the editor role."}}')).toBe("403 forbidden:role: This needs the editor role.");
    expect(errorMessageOf(502, "bad gateway")).toBe("502: bad gateway");
  });
});
