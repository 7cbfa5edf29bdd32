/** A local stand-in for Pitwall's /api/v1/events that injects faults (SDK tests only). */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Fault = "ok" | "503" | "429" | "timeout" | "reset-before" | "reset-after" | "slow" | "400";

export type FaultServer = {
  url: string;
  /** Event ids stored, each once, as the real server's ON CONFLICT does. */
  stored: Map<string, unknown>;
  /** How many times each id arrived in any request. */
  seen: Map<string, number>;
  requests: { at: number; fault: Fault; ids: string[] }[];
  close(): Promise<void>;
};

export async function startFaultServer(pick: (n: number) => Fault, opts: { retryAfter?: string; holdMs?: number } = {}): Promise<FaultServer> {
  const stored = new Map<string, unknown>();
  const seen = new Map<string, number>();
  const requests: FaultServer["requests"] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const fault = pick(requests.length);
      const events = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { events: { id: string }[] }).events;
      requests.push({ at: Date.now(), fault, ids: events.map((e) => e.id) });
      for (const e of events) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
      const store = () => {
        let accepted = 0;
        for (const e of events) {
          if (!stored.has(e.id)) {
            stored.set(e.id, e);
            accepted++;
          }
        }
        return { accepted, duplicates: events.length - accepted, rejected: [] };
      };
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      switch (fault) {
        case "ok":
          return reply(200, store());
        case "503":
          return reply(503, { error: { code: "unavailable:database", message: "down" } }, { "retry-after": opts.retryAfter ?? "0" });
        case "429":
          return reply(429, { error: { code: "rate_limited:api_key", message: "slow down" } }, { "retry-after": opts.retryAfter ?? "0" });
        case "400":
          return reply(400, { error: { code: "bad_request:envelope", message: "bad" } });
        case "timeout":
          // Stored, but the answer comes after the client gave up: a resend must not duplicate.
          store();
          setTimeout(() => res.destroyed || reply(200, { accepted: 0, duplicates: events.length, rejected: [] }), opts.holdMs ?? 1000);
          return;
        case "reset-before":
          return req.socket.destroy();
        case "reset-after":
          store();
          return req.socket.destroy();
        case "slow":
          setTimeout(() => reply(200, store()), 150);
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stored,
    seen,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
