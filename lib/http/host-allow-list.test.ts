import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHostGuard, hostnameOf, hostRules, isHostAllowed } from "./host-allow-list";

const allowed = (host: string | undefined, env: Record<string, string> = {}, sock: { localAddress?: string; remoteAddress?: string } = {}) =>
  isHostAllowed({ host, ...sock }, hostRules(env));

describe("Host allow-list (pure)", () => {
  it("allows localhost, 127.0.0.1 and ::1 by default, with or without a port", () => {
    for (const host of ["localhost", "localhost:3000", "127.0.0.1:3421", "[::1]:3000", "[::1]", "LOCALHOST:80", "localhost.:3000"]) expect(allowed(host)).toBe(true);
  });

  it("refuses every other name, a missing Host and malformed values (DNS rebinding, scripts)", () => {
    for (const host of [undefined, "", "evil.example", "evil.example:3000", "localhost.evil.example", "127.0.0.1.nip.io", "10.0.0.5:3000", "localhost:abc", "user@localhost", "[::1", "::1", "localhost/x"]) {
      expect(allowed(host)).toBe(false);
    }
  });

  it("adds the host of PITWALL_PUBLIC_URL and the entries of PITWALL_ALLOWED_HOSTS", () => {
    const env = { PITWALL_PUBLIC_URL: "https://pitwall.example.com/app", PITWALL_ALLOWED_HOSTS: " 10.0.0.5 , pitwall.lan:8080, .corp.example, [fd00::1] " };
    for (const host of ["pitwall.example.com", "pitwall.example.com:443", "10.0.0.5:3000", "pitwall.lan", "a.corp.example", "b.a.corp.example:3000", "corp.example", "[fd00::1]:3000", "localhost"]) {
      expect(allowed(host, env)).toBe(true);
    }
    for (const host of ["example.com", "xcorp.example", "pitwall.example.com.evil.example", "10.0.0.6"]) expect(allowed(host, env)).toBe(false);
  });

  it("allows any host only when PITWALL_ALLOWED_HOSTS says *", () => {
    expect(allowed("anything.example", { PITWALL_ALLOWED_HOSTS: "*" })).toBe(true);
  });

  it("lets this server call itself by the IP it listens on, and nobody else by that IP", () => {
    expect(allowed("192.168.1.5:3000", {}, { localAddress: "192.168.1.5", remoteAddress: "192.168.1.5" })).toBe(true);
    expect(allowed("192.168.1.5:3000", {}, { localAddress: "::ffff:192.168.1.5", remoteAddress: "::ffff:192.168.1.5" })).toBe(true);
    expect(allowed("192.168.1.5:3000", {}, { localAddress: "192.168.1.5", remoteAddress: "192.168.1.77" })).toBe(false);
    // A name (rebindable) is never let through by the socket rule.
    expect(allowed("rebind.example:3000", {}, { localAddress: "192.168.1.5", remoteAddress: "192.168.1.5" })).toBe(false);
  });

  it("parses Host values", () => {
    expect(hostnameOf("Example.COM:8080")).toBe("example.com");
    expect(hostnameOf("[::1]:3000")).toBe("::1");
    expect(hostnameOf("a b")).toBeNull();
  });
});

describe("the guard server.ts runs first on every request", () => {
  let server: http.Server;
  let port: number;
  const env = { PITWALL_ALLOWED_HOSTS: "pitwall.lan", PITWALL_TRUST_PROXY: "1" };

  beforeAll(async () => {
    const guard = createHostGuard(env);
    server = http.createServer((req, res) => {
      if (!guard(req, res)) return;
      res.end("served");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = (headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path: "/api/v1/setup", method: "POST", headers }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      });
      req.on("error", reject);
      req.end("{}");
    });

  it("refuses another Host with a 403 that names the setting to change", async () => {
    const res = await get({ host: "attacker.example:3000" });
    expect(res.status).toBe(403);
    const body = JSON.parse(res.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("forbidden:host");
    expect(body.error.message).toMatch(/Host "attacker\.example" is not allowed.*PITWALL_ALLOWED_HOSTS.*PITWALL_PUBLIC_URL/);
  });

  it("serves allowed hosts, and reads X-Forwarded-Host behind a trusted proxy", async () => {
    expect((await get({ host: `127.0.0.1:${port}` })).body).toBe("served");
    expect((await get({ host: "pitwall.lan" })).body).toBe("served");
    expect((await get({ host: `127.0.0.1:${port}`, "x-forwarded-host": "pitwall.lan" })).body).toBe("served");
    expect((await get({ host: `127.0.0.1:${port}`, "x-forwarded-host": "attacker.example" })).status).toBe(403);
  });
});
