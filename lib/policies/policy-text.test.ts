import { describe, expect, it } from "vitest";
import { checkPolicyText, prettyJson } from "./policy-text";

describe("checkPolicyText", () => {
  it("accepts a valid document of each kind", () => {
    expect(checkPolicyText("routing", prettyJson({ rules: [{ id: "a", action: { model: "claude-haiku-4-5" } }] }))).toMatchObject({ ok: true });
    expect(checkPolicyText("cache", '{"default":{"ttlSec":60}}')).toEqual({ ok: true, document: { default: { ttlSec: 60 } } });
  });

  it("reports broken JSON as one issue", () => {
    const r = checkPolicyText("routing", '{"rules": [');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.message).toMatch(/^Not valid JSON/);
  });

  it("reports schema issues with dotted paths, per kind", () => {
    const r = checkPolicyText("cache", '{"rules":[{"id":"x","ttlSec":-5}]}');
    expect(r).toEqual({ ok: false, issues: [expect.objectContaining({ path: "rules.0.ttlSec" })] });
    // A cache document is not a routing document.
    expect(checkPolicyText("routing", '{"rules":[{"id":"x","ttlSec":5}]}').ok).toBe(false);
  });
});

