import { describe, expect, it } from "vitest";
import { SLUG_PATTERN, SLUG_RE } from "./slug-rule";

// As the browser compiles a pattern attribute: anchored, with the `v` flag.
const asBrowser = () => new RegExp(`^(?:${SLUG_PATTERN})$`, "v");

describe("slug rule", () => {
  it("compiles as an HTML pattern under the v flag (a bare trailing '-' in a class does not)", () => {
    expect(asBrowser).not.toThrow();
    expect(() => new RegExp("^(?:[a-z0-9][a-z0-9-]{0,62})$", "v")).toThrow();
  });

  it("accepts and refuses the same slugs in the browser as on the server", () => {
    const cases = ["checkout", "a", "a-b-9", "0abc", "-abc", "Abc", "a_b", "a b", "", "a".repeat(63), "a".repeat(64), "a--"];
    const browser = asBrowser();
    for (const s of cases) expect([s, browser.test(s)]).toEqual([s, SLUG_RE.test(s)]);
    expect(cases.filter((s) => SLUG_RE.test(s))).toEqual(["checkout", "a", "a-b-9", "0abc", "a".repeat(63), "a--"]);
  });
});
