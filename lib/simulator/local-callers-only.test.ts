import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { isLocalCaller, localCallersOnly } from "./local-callers-only";

describe("the in-process simulator answers callers on this machine only", () => {
  it("counts loopback and this host's own address as local, anyone else not", () => {
    expect(isLocalCaller("127.0.0.1", "127.0.0.1")).toBe(true);
    expect(isLocalCaller("127.3.4.5", "127.0.0.1")).toBe(true);
    expect(isLocalCaller("::1", "::1")).toBe(true);
    expect(isLocalCaller("::ffff:127.0.0.1", "::ffff:127.0.0.1")).toBe(true);
    // The gateway calling /_sim on the LAN address its own client used.
    expect(isLocalCaller("10.0.0.5", "10.0.0.5")).toBe(true);
    expect(isLocalCaller("::ffff:10.0.0.5", "10.0.0.5")).toBe(true);
    expect(isLocalCaller("203.0.113.7", "10.0.0.5")).toBe(false);
    expect(isLocalCaller("172.17.0.1", "172.17.0.2")).toBe(false);
    expect(isLocalCaller("1270.0.0.1", "10.0.0.5")).toBe(false);
    expect(isLocalCaller(undefined, "10.0.0.5")).toBe(false);
  });

  it("a remote caller gets a 403 in Anthropic's shape and the simulator is never called", async () => {
    let called = false;
    const wrapped = localCallersOnly(() => {
      called = true;
    });
    const sent: { status?: number; body?: string } = {};
    const res = {
      headersSent: false,
      writeHead(status: number) {
        sent.status = status;
        return this;
      },
      setHeader() {},
      end(body: string) {
        sent.body = body;
      },
    } as unknown as ServerResponse;
    const req = { socket: { remoteAddress: "203.0.113.7", localAddress: "10.0.0.5" }, headers: {}, resume() {} } as unknown as IncomingMessage;
    await wrapped(req, res);
    expect(called).toBe(false);
    expect(sent.status).toBe(403);
    expect(JSON.parse(sent.body!)).toMatchObject({ type: "error", error: { type: "permission_error", message: expect.stringMatching(/this machine only/) } });
    const local = { socket: { remoteAddress: "127.0.0.1", localAddress: "127.0.0.1" }, headers: {}, resume() {} } as unknown as IncomingMessage;
    await wrapped(local, res);
    expect(called).toBe(true);
  });
});
