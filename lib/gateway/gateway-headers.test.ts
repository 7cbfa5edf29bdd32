import { describe, expect, it } from "vitest";
import { parseGatewayHints, parseTags } from "./gateway-headers";

describe("x-pitwall-* request headers", () => {
  it("reads route, agent, session, tags, cache TTL and Cache-Control", () => {
    expect(
      parseGatewayHints({
        "x-pitwall-route": "support/answer",
        "x-pitwall-agent": "helpdesk",
        "x-pitwall-session": "s-1",
        "x-pitwall-tags": "team=core, env = prod",
        "x-pitwall-cache-ttl": "300",
        "cache-control": "max-age=0, no-cache",
      }),
    ).toEqual({ route: "support/answer", agent: "helpdesk", sessionId: "s-1", tags: { team: "core", env: "prod" }, cacheTtlSec: 300, cacheMode: "no-cache", traceId: null, parentId: null });
    expect(parseGatewayHints({})).toEqual({ route: null, agent: null, sessionId: null, tags: {}, cacheTtlSec: null, cacheMode: "default", traceId: null, parentId: null });
    expect(parseGatewayHints({ "cache-control": "no-cache, no-store" }).cacheMode).toBe("no-store");
  });

  it("percent-decodes values so tags can carry commas, equals signs and UTF-8", () => {
    expect(parseTags("q=a%2Cb%3Dc,name=J%C3%BCrgen")).toEqual({ q: "a,b=c", name: "Jürgen" });
    expect(parseGatewayHints({ "x-pitwall-route": "caf%C3%A9" }).route).toBe("café");
  });

  it("keeps __proto__ an ordinary tag key", () => {
    const tags = parseTags("__proto__=x,a=b");
    expect(Object.keys(tags)).toEqual(["__proto__", "a"]);
    expect(JSON.parse(JSON.stringify(tags))).toEqual(JSON.parse('{"__proto__":"x","a":"b"}'));
  });

  it("refuses malformed values with a clear 400", () => {
    expect(() => parseTags("novalue")).toThrow(/k=v pairs/);
    expect(() => parseTags("=x")).toThrow(/k=v pairs/);
    expect(() => parseTags(Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(","))).toThrow(/more than 32 tags/);
    expect(() => parseTags(`${"k".repeat(65)}=v`)).toThrow(/1-64 characters/);
    expect(() => parseGatewayHints({ "x-pitwall-cache-ttl": "-1" })).toThrow(/whole seconds/);
    expect(() => parseGatewayHints({ "x-pitwall-cache-ttl": "1.5" })).toThrow(/whole seconds/);
    expect(() => parseGatewayHints({ "x-pitwall-cache-ttl": String(31 * 86400) })).toThrow(/whole seconds/);
    expect(() => parseGatewayHints({ "x-pitwall-route": "x".repeat(257) })).toThrow(/longer than 256/);
    expect(() => parseGatewayHints({ "x-pitwall-route": "%E0%A4%A" })).toThrow(/percent-encoding/);
    const err = (() => {
      try {
        parseTags("oops");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toMatchObject({ status: 400, type: "invalid_request_error" });
  });
});
