import type { ServerResponse } from "node:http";
import type { Dispatcher } from "undici";
import { scrubSecrets } from "../log";
import { anthropicErrorBody } from "./anthropic-error";
import { endedByShutdown, SHUTDOWN_MESSAGE } from "./call-context";
import { SseObserver } from "./sse-observer";
import { relayedResponseHeaders } from "./upstream-headers";

type Headers = Record<string, string | number>;

export type StreamRelay = {
  observer: SseObserver;
  /**
   * complete: upstream ended; aborted: the client left; broken: the upstream failed mid-stream;
   * shutdown: the gateway stopped it at the end of its shutdown grace period (with an error event).
   */
  end: "complete" | "aborted" | "broken" | "shutdown";
};

/**
 * Pipes an upstream SSE stream to the client chunk by chunk as it arrives: each chunk is written
 * in the same turn it is read (no buffering, no batching), and only then parsed on the side.
 * Backpressure pauses the upstream read until the client drains.
 */
export function relayStream(
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
  const body = upstream.body;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (end: StreamRelay["end"]) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      res.off("drain", onDrain);
      resolve({ observer, end });
    };
    const onDrain = () => body.resume();
    const onAbort = () => {
      body.destroy();
      if (endedByShutdown(signal) && !res.writableEnded && !res.destroyed) {
        // A deploy, not a failure of the call: end the stream the way the API reports an error,
        // so the client raises (and can retry) instead of seeing a cut connection.
        res.end(`event: error\ndata: ${anthropicErrorBody("overloaded_error", SHUTDOWN_MESSAGE, requestId)}\n\n`);
        return settle("shutdown");
      }
      settle("aborted");
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    res.on("drain", onDrain);
    body.on("data", (chunk: Buffer) => {
      if (!res.write(chunk)) body.pause();
      observer.push(chunk);
    });
    body.once("end", () => {
      res.end();
      settle("complete");
    });
    body.once("error", () => {
      if (signal.aborted) return settle("aborted");
      // The upstream failed mid-stream: say so the way the API does, as an error event.
      if (!res.writableEnded && !res.destroyed) {
        res.end(`event: error\ndata: ${anthropicErrorBody("api_error", "The upstream connection failed mid-stream.", requestId)}\n\n`);
      }
      settle("broken");
    });
  });
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
