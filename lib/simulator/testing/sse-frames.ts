/** One server-sent event as it appeared on the wire. */
export type SseFrame = { event: string | undefined; data: string | undefined; lines: string[] };

/**
 * Splits a raw SSE body into frames (blank-line separated) and reads each frame's `event:` and
 * `data:` lines. For tests that check framing byte by byte, here and in the gateway.
 */
export function parseSseFrames(raw: string): SseFrame[] {
  return raw
    .replace(/\r\n/g, "\n")
    .split("\n\n")
    .filter((chunk) => chunk.trim().length > 0)
    .map((chunk) => {
      const lines = chunk.split("\n");
      const field = (name: string) => lines.find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trimStart();
      return { event: field("event"), data: field("data"), lines };
    });
}

/** A raw POST to a simulator (or gateway) endpoint, for what the SDK would hide or refuse to send. */
export function rawPost(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "sk-test", "anthropic-version": "2023-06-01", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal,
  });
}
