import { ServerResponse, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import type { Socket } from "node:net";
import { Writable } from "node:stream";

/**
 * A response that nobody reads over a socket: the gateway answers one of Run x N's calls into it
 * exactly as into a client's response (head, SSE writes, end; destroying it is a client hanging
 * up, which aborts the upstream call), and `onHead`/`onChunk` see what it wrote. The bytes the
 * HTTP layer would send (status line, chunk framing) go to a socket that drops them.
 */
export class CallSink extends ServerResponse {
  constructor(
    req: IncomingMessage,
    private readonly hooks: { onHead: (status: number, headers: OutgoingHttpHeaders) => void; onChunk: (chunk: Buffer) => void },
  ) {
    super(req);
    const drop = new Writable({ write: (_chunk, _encoding, done) => done() });
    this.assignSocket(drop as unknown as Socket);
  }

  override writeHead(status: number, ...rest: unknown[]): this {
    const headers = rest.find((r): r is OutgoingHttpHeaders => typeof r === "object" && r !== null && !Array.isArray(r)) ?? {};
    this.hooks.onHead(status, headers);
    return (super.writeHead as (s: number, ...r: unknown[]) => this)(status, ...rest);
  }

  override write(chunk: unknown, ...rest: unknown[]): boolean {
    this.see(chunk);
    return (super.write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
  }

  override end(chunk?: unknown, ...rest: unknown[]): this {
    if (typeof chunk !== "function") this.see(chunk);
    return (super.end as (c?: unknown, ...r: unknown[]) => this)(chunk, ...rest);
  }

  private see(chunk: unknown): void {
    if (typeof chunk === "string" && chunk.length > 0) this.hooks.onChunk(Buffer.from(chunk, "utf8"));
    else if (Buffer.isBuffer(chunk) && chunk.length > 0) this.hooks.onChunk(chunk);
  }
}
