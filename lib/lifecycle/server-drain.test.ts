import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { GracefulShutdown, REPEAT_WINDOW_MS } from "./graceful-shutdown";
import { ServerDrain } from "./server-drain";

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.closeAllConnections();
});

/** A server whose /slow answer starts at once (headers) and ends after 200 ms, like a stream. */
async function serve(): Promise<{ server: http.Server; drain: ServerDrain; port: number }> {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    if (req.url === "/slow") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("a");
      setTimeout(() => res.end("b"), 200);
    } else res.end("ok");
  });
  const drain = new ServerDrain(server);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, drain, port: (server.address() as AddressInfo).port };
}

function rawSocket(port: number): Promise<{ socket: net.Socket; text: () => string; closed: Promise<void> }> {
  return new Promise((resolve) => {
    let text = "";
    const socket = net.connect(port, "127.0.0.1", () => resolve({ socket, text: () => text, closed }));
    socket.on("data", (d) => (text += d.toString()));
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
  });
}

const GET = (p: string) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`;
const waitFor = async (cond: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("ServerDrain", () => {
  it("closes idle keep-alive sockets at once and refuses new connections", async () => {
    const { drain, port } = await serve();
    const idle = await rawSocket(port);
    idle.socket.write(GET("/fast"));
    await waitFor(() => idle.text().includes("ok"));
    expect(idle.text()).toMatch(/connection: keep-alive/i);
    const t = Date.now();
    drain.begin();
    await idle.closed;
    expect(Date.now() - t).toBeLessThan(500);
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => resolve(false));
      s.once("error", () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it("lets a call in flight finish, answers the next request on that socket with Connection: close, then closes it", async () => {
    const { drain, port } = await serve();
    const live = await rawSocket(port);
    live.socket.write(GET("/slow"));
    await waitFor(() => live.text().includes("\r\n\r\n"));
    drain.begin();
    expect(drain.inFlight).toBe(1);
    live.socket.write(GET("/fast")); // pipelined behind the slow answer, on the live socket
    await live.closed;
    const answers = live.text().split("HTTP/1.1 ").filter(Boolean);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(/^200/); // the call in flight completed
    expect(answers[1]).toMatch(/connection: close/i);
    expect(answers[1]).toMatch(/ok$/);
    expect(await drain.waitIdle(100)).toBe(true);
  });

  it("a keep-alive socket whose answer started before the drain is closed when that answer ends, not at its timeout", async () => {
    const { drain, port } = await serve();
    const live = await rawSocket(port);
    live.socket.write(GET("/slow"));
    await waitFor(() => live.text().includes("\r\n\r\n"));
    drain.begin();
    const t = Date.now();
    await live.closed;
    expect(Date.now() - t).toBeLessThan(1_000);
    expect(live.text()).toMatch(/ab|a[\s\S]*b/);
  });
});

describe("GracefulShutdown signals", () => {
  function fakeHooks() {
    const calls: string[] = [];
    let release!: () => void;
    const inFlight = new Promise<void>((r) => (release = r));
    const drain = {
      inFlight: 1,
      begin: () => calls.push("begin"),
      waitIdle: (ms: number, cut?: Promise<unknown>) =>
        Promise.race([inFlight.then(() => true), (cut ?? new Promise((r) => setTimeout(r, Math.min(ms, 50)))).then(() => false)]),
      destroyAll: () => calls.push("destroyAll"),
    } as unknown as ServerDrain;
    return {
      calls,
      release,
      hooks: {
        drain,
        endCalls: async () => void calls.push("endCalls"),
        close: async (hurry: AbortSignal) => void calls.push(`close(hurry=${hurry.aborted})`),
      },
    };
  }

  it("a signal repeated within a second is the same request; the grace period runs on", async () => {
    let now = 0;
    const f = fakeHooks();
    const s = new GracefulShutdown(f.hooks, { graceMs: 60_000, flushMs: 1_000 }, () => now);
    s.request("SIGTERM");
    now = REPEAT_WINDOW_MS - 1;
    s.request("SIGTERM");
    s.request("SIGINT");
    await new Promise((r) => setTimeout(r, 20));
    expect(f.calls).toEqual(["begin"]); // still draining, nothing forced
    f.release();
    expect(await s.done).toBe(0);
    expect(f.calls).toEqual(["begin", "close(hurry=false)"]);
  });

  it("a later second signal skips the grace period and hurries the flush to the spool", async () => {
    let now = 0;
    const f = fakeHooks();
    const s = new GracefulShutdown(f.hooks, { graceMs: 60_000, flushMs: 60_000 }, () => now);
    s.request("SIGTERM");
    now = REPEAT_WINDOW_MS + 1;
    s.request("SIGTERM");
    expect(await s.done).toBe(0);
    expect(f.calls).toEqual(["begin", "endCalls", "destroyAll", "close(hurry=true)"]);
  });
});
