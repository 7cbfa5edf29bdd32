import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { recordedCacheStatus, tapPaneResponse } from "./pane-response-tap";

/** Serves one answer written by `write` through the tap, and returns what a client reads. */
async function tapped(write: (res: ServerResponse) => void, opts: { now?: () => number; sentCacheControl?: string } = {}) {
  const server = createServer((_req, res) => {
    tapPaneResponse(res, { t0: 0, now: opts.now ?? (() => 12.345), sentCacheControl: opts.sentCacheControl });
    write(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return { headers: res.headers, body: await res.text() };
  } finally {
    server.close();
  }
}

const delta = (text: string) => `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${text}"}}\n\n`;
const START = `event: message_start\ndata: {"type":"message_start","message":{}}\n\n`;
const SSE = { "content-type": "text/event-stream", "x-pitwall-cache": "BYPASS" };

describe("pane response tap", () => {
  it("adds one timing frame right after the first delta frame, even when that frame is split across writes", async () => {
    const body = START + delta("héllo") + delta("again");
    const cut = body.indexOf("héllo") + 2; // inside the first delta, inside a two-byte character
    const bytes = Buffer.from(body);
    const byteCut = Buffer.byteLength(body.slice(0, cut)) - 1;
    const { body: read } = await tapped((res) => {
      res.writeHead(200, { ...SSE });
      res.write(bytes.subarray(0, byteCut));
      res.write(bytes.subarray(byteCut));
      res.end();
    });
    const first = START + delta("héllo");
    expect(read).toBe(`${first}event: pitwall_timing\ndata: {"ttft_ms":12.35}\n\n${delta("again")}`);
  });

  it("fits the frame into a streamed cached answer by dropping its content-length", async () => {
    const payload = START + delta("cached");
    const { body, headers } = await tapped((res) => {
      res.writeHead(200, { ...SSE, "x-pitwall-cache": "HIT", "content-length": Buffer.byteLength(payload) });
      res.end(payload);
    });
    expect(body).toContain("pitwall_timing");
    expect(body.startsWith(payload)).toBe(true);
    expect(headers.get("x-pitwall-cache-status")).toBe("hit");
  });

  it("leaves an answer without deltas (an error) and a JSON answer as they are", async () => {
    const err = `event: error\ndata: {"type":"error","error":{"type":"api_error","message":"x"}}\n\n`;
    expect((await tapped((res) => (res.writeHead(200, { ...SSE }), res.end(err)))).body).toBe(err);
    const json = '{"type":"error","error":{"type":"not_found_error","message":"model"}}';
    expect((await tapped((res) => (res.writeHead(404, { "content-type": "application/json", "content-length": json.length }), res.end(json)))).body).toBe(json);
  });

  it("names the recorded response-cache status: BYPASS is bypass only when the call said no-cache or no-store", () => {
    expect(recordedCacheStatus("BYPASS", undefined)).toBe("none");
    expect(recordedCacheStatus("BYPASS", "no-cache")).toBe("bypass");
    expect(recordedCacheStatus("BYPASS", "no-store")).toBe("bypass");
    expect(recordedCacheStatus("MISS", "no-cache")).toBe("miss");
    expect(recordedCacheStatus("HIT", undefined)).toBe("hit");
    expect(recordedCacheStatus(undefined, undefined)).toBeUndefined();
  });
});
