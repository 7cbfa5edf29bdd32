import type { Traffic } from "../traffic";
import { TrafficBuilder, type LlmRow, type ToolRow } from "../traffic-builder";

/** Test helpers for the advisor: LLM calls and tool spans with defaults, built into a Traffic. */

let counter = 0;

export function llmRow(overrides: Partial<LlmRow> = {}): LlmRow {
  counter++;
  return {
    id: `e${counter}`,
    tsMs: Date.parse("2026-11-30T00:00:00Z") + counter,
    route: "r",
    agent: "a",
    session: null,
    trace: null,
    parent: null,
    model: "claude-sonnet-4-5",
    requestedModel: "claude-sonnet-4-5",
    user: null,
    tags: {},
    promptHash: `p${counter}`,
    systemHash: null,
    status: "ok",
    responseCache: "none",
    streamed: true,
    unpriced: false,
    latencyMs: 1000,
    ttftMs: 300,
    inputTokens: 500,
    outputTokens: 100,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    systemTokens: null,
    messageCount: 1,
    toolCount: 0,
    policyVersion: null,
    requestedCacheTtlSec: null,
    costNano: 3_000_000,
    ...overrides,
  };
}

export function toolRow(overrides: Partial<ToolRow> = {}): ToolRow {
  counter++;
  return {
    id: `t${counter}`,
    tsMs: Date.parse("2026-11-30T00:00:00Z") + counter,
    latencyMs: 200,
    trace: "trace-1",
    parent: null,
    name: "lookup",
    agent: "a",
    session: null,
    status: "ok",
    ...overrides,
  };
}

export const TEST_WINDOW = { projectId: "00000000-0000-4000-8000-000000000000", fromMs: Date.parse("2026-11-29T00:00:00Z"), toMs: Date.parse("2026-12-01T00:00:00Z") };

export function trafficOf(llm: LlmRow[], tools: ToolRow[] = [], window: Partial<typeof TEST_WINDOW> = {}): Traffic {
  const b = new TrafficBuilder({ ...TEST_WINDOW, ...window });
  for (const r of llm) b.addLlm(r);
  for (const r of tools) b.addTool(r);
  return b.finish();
}
