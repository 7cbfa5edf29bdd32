import { afterEach, describe, expect, it, vi } from "vitest";
import { assertSameOrigin } from "./origin-check";
import { clientIp, requestIsHttps, socketClientIp } from "./request-origin";

afterEach(() => vi.unstubAllEnvs());

const check = (headers: Record<string, string>, url = "http://pitwall.local:3000/api/v1/keys") => () => assertSameOrigin(new Headers(headers), url);

describe("assertSameOrigin (CSRF)", () => {
  it("accepts the app's own origin, by Host header", () => {
    expect(check({ host: "pitwall.local:3000", origin: "http://pitwall.local:3000" })).not.toThrow();
    expect(check({ host: "10.0.0.5:3000", origin: "http://10.0.0.5:3000" }, "http://localhost:3000/x")).not.toThrow();
  });

  it("refuses other origins, a missing or null Origin, another port and cross-site fetches", () => {
    const cases: Record<string, string>[] = [
      { host: "pitwall.local:3000", origin: "http://evil.example" },
      { host: "pitwall.local:3000", origin: "http://pitwall.local:3001" },
      { host: "pitwall.local:3000", origin: "http://pitwall.local.evil.example:3000" },
      { host: "pitwall.local:3000" },
      { host: "pitwall.local:3000", origin: "null" },
      { host: "pitwall.local:3000", origin: "not a url" },
      { host: "pitwall.local:3000", origin: "http://pitwall.local:3000", "sec-fetch-site": "cross-site" },
    ];
    for (const headers of cases) {
      expect(check(headers)).toThrow(expect.objectContaining({ status: 403 }));
    }
  });

  it("trusts X-Forwarded-Host only behind a trusted proxy", () => {
    const headers = { host: "127.0.0.1:3000", "x-forwarded-host": "pitwall.example.com", origin: "https://pitwall.example.com" };
    expect(check(headers)).toThrow();
    vi.stubEnv("PITWALL_TRUST_PROXY", "1");
    expect(check(headers)).not.toThrow();
  });

  it("accepts the configured public URL and extra trusted origins", () => {
    vi.stubEnv("PITWALL_PUBLIC_URL", "https://pitwall.example.com/");
    vi.stubEnv("PITWALL_TRUSTED_ORIGINS", "https://ops.example.com, https://other.example.com");
    expect(check({ host: "127.0.0.1:3000", origin: "https://pitwall.example.com" })).not.toThrow();
    expect(check({ host: "127.0.0.1:3000", origin: "https://other.example.com" })).not.toThrow();
    expect(check({ host: "127.0.0.1:3000", origin: "https://evil.example.com" })).toThrow();
  });
});

describe("request facts", () => {
  it("a client cannot pick its own address for the login limiter unless a proxy is trusted", () => {
    expect(socketClientIp("10.1.1.1", "6.6.6.6")).toBe("10.1.1.1");
    expect(clientIp(new Headers({ "x-forwarded-for": "6.6.6.6" }))).toBe("unknown");
    vi.stubEnv("PITWALL_TRUST_PROXY", "1");
    // Behind a proxy the last hop (the one the proxy appended) counts, not the client's claim.
    expect(socketClientIp("10.1.1.1", "6.6.6.6, 203.0.113.9")).toBe("203.0.113.9");
  });

  it("cookies are Secure over HTTPS, behind a trusted TLS proxy, or when the public URL is https", () => {
    expect(requestIsHttps(new Headers(), "http://x/")).toBe(false);
    expect(requestIsHttps(new Headers(), "https://x/")).toBe(true);
    expect(requestIsHttps(new Headers({ "x-forwarded-proto": "https" }), "http://x/")).toBe(false);
    vi.stubEnv("PITWALL_TRUST_PROXY", "1");
    expect(requestIsHttps(new Headers({ "x-forwarded-proto": "https" }), "http://x/")).toBe(true);
    vi.unstubAllEnvs();
    vi.stubEnv("PITWALL_PUBLIC_URL", "https://pitwall.example.com");
    expect(requestIsHttps(new Headers(), "http://x/")).toBe(true);
  });
});
