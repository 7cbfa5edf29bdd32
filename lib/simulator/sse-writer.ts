import type { ServerResponse } from "node:http";

/**
 * Writes server-sent events one frame at a time, straight to the socket: every frame is an
 * `event:` line and a `data:` line, sent as soon as it is produced (never buffered into batches).
 */
export class SseWriter {
  constructor(
    private readonly res: ServerResponse,
    private readonly signal: AbortSignal,
  ) {}

  open(requestId: string): void {
    // Disable Nagle so each small frame leaves at once instead of waiting for the next one.
    this.res.socket?.setNoDelay(true);
    this.res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "request-id": requestId,
    });
  }

  /** Resolves when the frame is handed to the socket, or after draining when the client is slow. */
  async send(event: string, data: unknown): Promise<void> {
    if (this.signal.aborted) return;
    const ok = this.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (!ok) await this.drain();
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }

  private drain(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.res.off("drain", done);
        this.signal.removeEventListener("abort", done);
        resolve();
      };
      this.res.once("drain", done);
      this.signal.addEventListener("abort", done, { once: true });
    });
  }
}
