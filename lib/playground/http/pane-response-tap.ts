import type { OutgoingHttpHeaders, ServerResponse } from "node:http";

/** The frame the tap adds after the first token: the gateway's TTFT for this call, in ms. */
export const TIMING_EVENT = "pitwall_timing";
const DELTA_MARK = "content_block_delta";

/**
 * What the recorder stores as the call's response-cache status, from what the gateway answered
 * and what the playground sent. `x-pitwall-cache: BYPASS` covers both "bypass" (the call said
 * no-cache/no-store) and "none" (no cache for this call: TTL 0 from the pane or the policy); the
 * gateway's rule (statusIfUnread in lib/gateway/route-request.ts) tells them apart by the
 * Cache-Control header alone, which the playground chose itself.
 */
export function recordedCacheStatus(header: string | undefined, sentCacheControl: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.toLowerCase();
  if (h !== "bypass") return h;
  return sentCacheControl === "no-cache" || sentCacheControl === "no-store" ? "bypass" : "none";
}

/**
 * Watches one playground answer as the gateway writes it, so the pane can show the figures the
 * gateway records instead of the browser's own clock (which adds its scheduling delay):
 * - `x-pitwall-cache-status` on the head: the response-cache status as recorded;
 * - an SSE frame `event: pitwall_timing` `{"ttft_ms"}` right after the first delta frame, timed
 *   where the gateway's recorder times it (the same synchronous write, microseconds apart), from
 *   the gateway's own start (the head's x-pitwall-elapsed-ms; else `t0`, taken as the call is
 *   handed to the gateway).
 * A streamed answer from the response cache carries a content-length; it is dropped (chunked
 * instead) so the added frame fits.
 */
export function tapPaneResponse(res: ServerResponse, opts: { t0: number; now: () => number; sentCacheControl: string | undefined }): void {
  let streamed = false;
  let t0 = opts.t0;
  // Bytes since the last frame boundary that matters (a frame can be split across chunks).
  let tail: Buffer = Buffer.alloc(0);
  let done = false;

  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const headers = rest.find((r): r is OutgoingHttpHeaders => typeof r === "object" && r !== null && !Array.isArray(r));
    if (headers) {
      // The gateway's own start: x-pitwall-elapsed-ms is its clock read just before this head.
      const elapsed = Number(headers["x-pitwall-elapsed-ms"]);
      if (headers["x-pitwall-elapsed-ms"] !== undefined && Number.isFinite(elapsed)) t0 = opts.now() - elapsed;
      streamed = String(headers["content-type"] ?? "").startsWith("text/event-stream");
      const cache = recordedCacheStatus(headers["x-pitwall-cache"] as string | undefined, opts.sentCacheControl);
      if (cache) headers["x-pitwall-cache-status"] = cache;
      if (streamed) delete headers["content-length"];
    }
    return writeHead(status, ...rest);
  }) as ServerResponse["writeHead"];

  /** The chunk in bytes, split just after the first delta frame's end; null until that frame ends. */
  const split = (chunk: unknown): [Buffer, Buffer] | null => {
    if (done || !streamed || (typeof chunk !== "string" && !Buffer.isBuffer(chunk))) return null;
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    const seen = tail.length === 0 ? bytes : Buffer.concat([tail, bytes]);
    const mark = seen.indexOf(DELTA_MARK);
    const end = mark === -1 ? -1 : seen.indexOf("\n\n", mark);
    if (end === -1) {
      // Keep what the mark or the frame's end may still need.
      tail = mark === -1 ? seen.subarray(Math.max(0, seen.length - DELTA_MARK.length)) : seen;
      return null;
    }
    done = true;
    const cut = end + 2 - tail.length;
    tail = Buffer.alloc(0);
    return [bytes.subarray(0, cut), bytes.subarray(cut)];
  };
  // The clock is read after the first delta is written, as the recorder's observer reads it.
  const timingFrame = () => Buffer.from(`event: ${TIMING_EVENT}\ndata: ${JSON.stringify({ ttft_ms: Math.round((opts.now() - t0) * 100) / 100 })}\n\n`);

  const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    const parts = split(chunk);
    if (!parts) return write(chunk, ...rest);
    const first = write(parts[0]);
    return write(Buffer.concat([timingFrame(), parts[1]]), ...rest) && first;
  }) as ServerResponse["write"];
  const end = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => ServerResponse;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    const parts = split(chunk);
    if (!parts) return end(chunk, ...rest);
    write(parts[0]);
    return end(Buffer.concat([timingFrame(), parts[1]]), ...rest);
  }) as ServerResponse["end"];
}
