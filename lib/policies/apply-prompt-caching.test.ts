import { describe, expect, it } from "vitest";
import { applyPromptCaching, hasCacheControl, minCacheableTokens } from "./apply-prompt-caching";

const big = (tokens: number) => "x".repeat(tokens * 4);
const tool = (name: string, descriptionTokens = 10) => ({ name, description: big(descriptionTokens), input_schema: { type: "object", properties: {} } });
const marker5m = { type: "ephemeral", ttl: "5m" };

function countBreakpoints(body: Record<string, unknown>): number {
  return (JSON.stringify(body).match(/"cache_control"/g) ?? []).length;
}

describe("minCacheableTokens", () => {
  it.each([
    ["claude-sonnet-4-5", 1024],
    ["claude-sonnet-4-5-20250929", 1024],
    ["claude-sonnet-4", 1024],
    ["claude-opus-4", 1024],
    ["claude-opus-4-1", 1024],
    ["claude-opus-4-20250514", 1024],
    ["claude-opus-4-5", 4096],
    ["claude-opus-4-6", 4096],
    ["claude-opus-5", 4096],
    ["claude-haiku-4-5", 4096],
    ["claude-haiku-4-5-20251001", 4096],
    ["claude-3-5-haiku-20241022", 2048],
    ["claude-3-haiku-20240307", 2048],
    ["claude-3-7-sonnet-latest", 1024],
    ["claude-fable-5", 1024],
    ["some-unknown-model", 1024],
  ])("%s -> %i", (model, tokens) => {
    expect(minCacheableTokens(model)).toBe(tokens);
  });

  it("lets overrides (exact or glob, dated ids included) win", () => {
    expect(minCacheableTokens("claude-fable-5", { "claude-fable-*": 2048 })).toBe(2048);
    expect(minCacheableTokens("claude-sonnet-4-5-20250929", { "claude-sonnet-4-5": 512 })).toBe(512);
    expect(minCacheableTokens("claude-sonnet-4-5", { "claude-opus-*": 9 })).toBe(1024);
  });
});

describe("applyPromptCaching", () => {
  it("marks the last tool and converts a long string system prompt to a marked block", () => {
    const body = { model: "m", max_tokens: 10, system: big(1500), tools: [tool("a"), tool("b")], messages: [{ role: "user", content: "hi" }] };
    const { body: out, added } = applyPromptCaching(body, { ttl: "5m", minTokens: 1024 });
    // Tools alone are short: only the system breakpoint (which covers tools + system) is added.
    expect(added).toEqual(["system"]);
    expect(out.system).toEqual([{ type: "text", text: body.system, cache_control: marker5m }]);
    expect(out.tools).toBe(body.tools);
    // The input is never mutated.
    expect(typeof body.system).toBe("string");
  });

  it("marks tools when the tools alone reach the minimum, and the last system block after them", () => {
    const body = {
      model: "m",
      system: [{ type: "text", text: "first" }, { type: "text", text: "second" }],
      tools: [tool("a", 600), tool("b", 600)],
      messages: [],
    };
    const { body: out, added } = applyPromptCaching(body, { ttl: "1h", minTokens: 1024 });
    expect(added).toEqual(["tools", "system"]);
    const marker = { type: "ephemeral", ttl: "1h" };
    expect(out.tools[1]).toEqual({ ...body.tools[1], cache_control: marker });
    expect(out.tools[0]).toBe(body.tools[0]);
    expect(out.system).toEqual([{ type: "text", text: "first" }, { type: "text", text: "second", cache_control: marker }]);
    expect(body.tools[1]).not.toHaveProperty("cache_control");
    expect(countBreakpoints(out)).toBe(2);
  });

  it("leaves a prompt below the minimum alone and returns the same object", () => {
    // ~900 system tokens plus a ~40-token tool: under 1024 together.
    const body = { model: "m", system: big(900), tools: [tool("a", 10)], messages: [] };
    const res = applyPromptCaching(body, { ttl: "5m", minTokens: 1024 });
    expect(res.added).toEqual([]);
    expect(res.body).toBe(body);
    // The same prompt crosses a lower minimum.
    expect(applyPromptCaching(body, { ttl: "5m", minTokens: 900 }).added).toEqual(["system"]);
  });

  it("never touches a request that already has cache_control anywhere", () => {
    const cases: Record<string, unknown>[] = [
      { system: big(5000), cache_control: { type: "ephemeral" }, messages: [] },
      { system: [{ type: "text", text: big(5000), cache_control: { type: "ephemeral" } }], messages: [] },
      { system: big(5000), tools: [{ ...tool("a"), cache_control: { type: "ephemeral" } }], messages: [] },
      { system: big(5000), messages: [{ role: "user", content: [{ type: "text", text: "q", cache_control: { type: "ephemeral" } }] }] },
      {
        system: big(5000),
        messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "text", text: "r", cache_control: { type: "ephemeral" } }] }] }],
      },
    ];
    for (const body of cases) {
      expect(hasCacheControl(body)).toBe(true);
      const res = applyPromptCaching(body, { ttl: "5m", minTokens: 1024 });
      expect(res.body).toBe(body);
      expect(res.added).toEqual([]);
    }
  });

  it("adds at most two breakpoints, never more than the API's four", () => {
    const body = { system: [{ type: "text", text: big(3000) }], tools: [tool("a", 3000)], messages: [{ role: "user", content: big(3000) }] };
    const { body: out } = applyPromptCaching(body, { ttl: "5m", minTokens: 1 });
    expect(countBreakpoints(out)).toBe(2);
  });

  it("skips an empty system prompt and a request without tools", () => {
    const res = applyPromptCaching({ system: "", messages: [{ role: "user", content: big(5000) }] }, { ttl: "5m", minTokens: 1024 });
    expect(res.added).toEqual([]);
  });
});
