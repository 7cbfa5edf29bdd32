import { describe, expect, it } from "vitest";
import { parseGatewayHints } from "../gateway/gateway-headers";
import { buildPaneCall } from "./build-request";
import { PaneConfig } from "./config-schema";

const ids = { experimentId: "exp_1", runId: "run_1" };
const base = { prompt: "hi", history: [{ role: "user" as const, content: "earlier" }, { role: "assistant" as const, content: "reply" }] };

describe("buildPaneCall", () => {
  it("sends the history then the prompt, streamed, with the system prompt behind a cache breakpoint of the pane's TTL", () => {
    const pane = PaneConfig.parse({ name: "A", model: "claude-haiku-4-5", maxTokens: 64, system: "Be brief.", promptCaching: "5m", tools: '[{"name":"t","input_schema":{"type":"object"}}]' });
    const { body } = buildPaneCall(base, pane, ids, { repeat: false });
    expect(body).toEqual({
      model: "claude-haiku-4-5",
      max_tokens: 64,
      stream: true,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral", ttl: "5m" } }],
      messages: [{ role: "user", content: "earlier" }, { role: "assistant", content: "reply" }, { role: "user", content: "hi" }],
      tools: [{ name: "t", input_schema: { type: "object" } }],
    });
    expect(buildPaneCall(base, { ...pane, promptCaching: "off" }, ids, { repeat: false }).body.system).toBe("Be brief.");
  });

  it("routes a policy pane on its own route, agent and tags, but records route playground with the experiment, pane and run tags", () => {
    const pane = PaneConfig.parse({ name: "B x", model: "claude-sonnet-4-6", maxTokens: 10, target: { kind: "policy", route: "support/chat", agent: "triage", tags: { tier: "gold" } } });
    const call = buildPaneCall(base, pane, ids, { repeat: false });
    const hints = parseGatewayHints(call.headers);
    expect(hints).toMatchObject({ route: "support/chat", agent: "triage", tags: { tier: "gold", experiment: "exp_1", pane: "B x", run: "run_1" } });
    expect(call.recordHints).toEqual({ route: "playground", agent: "triage", tags: { tier: "gold", experiment: "exp_1", pane: "B x", run: "run_1" } });
  });

  it("keeps Run x N off the response cache unless the pane set a TTL: no-cache when the policy decides, the TTL header otherwise", () => {
    const policy = PaneConfig.parse({ name: "A", model: "claude-haiku-4-5", maxTokens: 10, responseCacheTtlSec: null });
    expect(parseGatewayHints(buildPaneCall(base, policy, ids, { repeat: true }).headers)).toMatchObject({ cacheMode: "no-cache", cacheTtlSec: null });
    expect(parseGatewayHints(buildPaneCall(base, policy, ids, { repeat: false }).headers)).toMatchObject({ cacheMode: "default", cacheTtlSec: null });
    const off = PaneConfig.parse({ name: "A", model: "claude-haiku-4-5", maxTokens: 10 });
    expect(parseGatewayHints(buildPaneCall(base, off, ids, { repeat: true }).headers).cacheTtlSec).toBe(0);
    const asks = PaneConfig.parse({ name: "A", model: "claude-haiku-4-5", maxTokens: 10, responseCacheTtlSec: 600 });
    expect(parseGatewayHints(buildPaneCall(base, asks, ids, { repeat: true }).headers)).toMatchObject({ cacheMode: "default", cacheTtlSec: 600 });
  });
});
