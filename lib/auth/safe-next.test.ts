import { describe, expect, it } from "vitest";
import { safeNext } from "./safe-next";

describe("safeNext", () => {
  it.each(["/p/demo/overview", "/invite/abc_DEF-123", "/p/demo/events?range=24h#top", "/"])("keeps the on-site path %s", (next) => {
    expect(safeNext(next)).toBe(next);
  });

  it.each([
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    // Browsers strip tab, CR and LF before parsing: these all become //evil.example.
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "\t//evil.example",
    "javascript:alert(1)",
    "",
  ])("refuses %j", (next) => {
    expect(safeNext(next, "/home")).toBe("/home");
    // Resolved the way a browser would, the accepted value never leaves the site.
    expect(new URL(safeNext(next), "http://pitwall.local").origin).toBe("http://pitwall.local");
  });

  it("falls back without a value", () => {
    expect(safeNext(undefined)).toBe("/");
    expect(safeNext(null, "/x")).toBe("/x");
  });
});
