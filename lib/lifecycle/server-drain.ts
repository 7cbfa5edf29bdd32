import type { IncomingMessage, Server, ServerResponse } from "node:http";

/**
 * Tracks the requests a node:http server is answering so a shutdown can drain it: `begin` stops
 * accepting connections and closes idle keep-alive sockets; from then on every answer carries
 * `Connection: close`, and each socket is closed as soon as its last answer is out.
 */
export class ServerDrain {
  private readonly active = new Set<ServerResponse>();
  private draining = false;
  private idleWaiters: (() => void)[] = [];

  /** Sees every request before the server's own listener does (a prepended listener). */
  constructor(private readonly server: Server) {
    server.prependListener("request", (_req: IncomingMessage, res: ServerResponse) => {
      this.active.add(res);
      res.once("close", () => this.settled(res));
      if (this.draining) res.setHeader("connection", "close");
    });
  }

  /** Requests being answered now. */
  get inFlight(): number {
    return this.active.size;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Stop accepting; idle keep-alive sockets close now, busy ones after their answer. */
  begin(): void {
    if (this.draining) return;
    this.draining = true;
    this.server.close();
    // Answers not started yet say so; answers under way end with their socket closed (settled).
    for (const res of this.active) if (!res.headersSent) res.setHeader("connection", "close");
    this.server.closeIdleConnections();
  }

  /** Resolves when no request is in flight, or at `ms`; true if it drained. */
  waitIdle(ms: number, cut?: Promise<unknown>): Promise<boolean> {
    if (this.active.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (drained: boolean) => {
        clearTimeout(timer);
        this.idleWaiters = this.idleWaiters.filter((w) => w !== onIdle);
        resolve(drained);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.idleWaiters.push(onIdle);
      void cut?.then(() => done(this.active.size === 0));
    });
  }

  /** The last resort: every socket, busy or not. */
  destroyAll(): void {
    this.server.closeAllConnections();
  }

  private settled(res: ServerResponse): void {
    this.active.delete(res);
    // A keep-alive socket whose answer started before `begin` would otherwise stay open until its
    // timeout; node counts it idle only after this turn.
    if (this.draining) setImmediate(() => this.server.closeIdleConnections());
    if (this.active.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }
}
