import type { ServerResponse } from "node:http";
import type { Dispatcher } from "undici";
import { scrubSecrets } from "../log";
import { anthropicErrorBody } from "./anthropic-error";
import { SseObserver } from "./sse-observer";
import { relayedResponseHeaders } from "./upstream-headers";

type Headers = Record<string, string | number>;

export type StreamRelay = {
  observer: SseObserver;
  /** complete: upstream ended; aborted: the client left; broken: the upstream failed mid-stream. */
  end: "complete" | "aborted" | "broken";
};

/** Waits for the client socket to take more, or for it to go away. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/**
 * Pipes an upstream SSE stream to the client chunk by chunk as it arrives (no buffering, no
 * batching: each chunk is written the moment it is read), while the observer parses a copy.
 */
export async function relayStream(
  res: ServerResponse,
  upstream: Dispatcher.ResponseData,
  headers: Headers,
  observer: SseObserver,
  signal: AbortSignal,
  requestId: string,
): Promise<StreamRelay> {
  const out: Headers = { ...headers, "content-type": String(upstream.headers["content-type"] ?? "text/event-stream"), "cache-control": "no-cache" };
  relayedResponseHeaders(upstream.headers, out);
  res.writeHead(upstream.statusCode, out);
  res.flushHeaders();
  try {
    for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
      observer.push(chunk);
      if (!res.write(chunk)) await drained(res);
      if (signal.aborted) break;
    }
  } catch {
    if (signal.aborted) return { observer, end: "aborted" };
    // The upstream failed mid-stream: say so the way the API does, as an error event.
    if (!res.writableEnded && !res.destroyed) {
      res.end(`event: error\ndata: ${anthropicErrorBody("api_error", "The upstream connection failed mid-stream.", requestId)}\n\n`);
    }
    return { observer, end: "broken" };
  }
  if (signal.aborted) {
    upstream.body.destroy();
    return { observer, end: "aborted" };
  }
  res.end();
  return { observer, end: "complete" };
}

/**
 * A non-streaming answer: read whole (the upstream sends it at once, after the generation; the
 * record needs its usage anyway), then answered in one write with its exact length.
 */
export async function relayJson(res: ServerResponse, upstream: Dispatcher.ResponseData, headers: Headers): Promise<Buffer | null> {
  let bytes: Buffer;
  try {
    const data = await upstream.body.bytes();
    bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  } catch {
    return null;
  }
  const out: Headers = { ...headers, "content-type": String(upstream.headers["content-type"] ?? "application/json"), "content-length": bytes.length };
  relayedResponseHeaders(upstream.headers, out);
  res.writeHead(upstream.statusCode, out);
  res.end(bytes);
  return bytes;
}

/**
 * Relays an upstream error answer. A 401 from the upstream means the server's provider key was
 * refused, not the client's Pitwall key, so it becomes a 502 rather than a misleading 401.
 */
export function relayUpstreamError(res: ServerResponse, status: number, upstreamHeaders: Dispatcher.ResponseData["headers"], body: Buffer, headers: Headers, requestId: string): number {
  const out: Headers = { ...headers, "content-type": "application/json" };
  relayedResponseHeaders(upstreamHeaders, out);
  let payload: string | Buffer = body;
  if (status === 401) {
    status = 502;
    payload = anthropicErrorBody("api_error", "The upstream refused the gateway's provider credentials; check ANTHROPIC_API_KEY on the Pitwall server.", requestId);
  } else if (!isJsonObject(body)) {
    payload = anthropicErrorBody(status >= 500 ? "api_error" : "invalid_request_error", `The upstream answered ${status}.`, requestId);
  } else {
    const text = body.toString("utf8");
    // Upstream messages never should, but if one echoed a key it would stop here.
    if (text.includes("sk-ant-") || text.includes("pw_sk_")) payload = scrubSecrets(text);
  }
  out["content-length"] = Buffer.byteLength(payload);
  res.writeHead(status, out);
  res.end(payload);
  return status;
}

function isJsonObject(body: Buffer): boolean {
  try {
    const v = JSON.parse(body.toString("utf8")) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v);
  } catch {
    return false;
  }
}
