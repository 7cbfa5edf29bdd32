import { describe, expect, it } from "vitest";
import { decodeConfig, encodeConfig } from "./url-state";

describe("url state", () => {
  it("round-trips a configuration with non-ASCII text, URL-safe", () => {
    const config = { panes: [{ name: "A", model: "claude-haiku-4-5", maxTokens: 10, system: "Réponds en français 🚀" }], prompt: "a/b+c=d?" };
    const text = encodeConfig(config);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeConfig(text)).toEqual(config);
  });

  it("answers null for a missing or damaged value", () => {
    expect(decodeConfig(null)).toBeNull();
    expect(decodeConfig("%%%")).toBeNull();
    expect(decodeConfig(encodeConfig({ prompt: "x" } as never))).toBeNull();
  });
});
