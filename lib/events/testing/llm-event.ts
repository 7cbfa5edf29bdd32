let counter = 0;

/** A valid llm event as a client posts it to /api/v1/events, `overrides` applied. */
export function llmEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `evt-${Math.random().toString(36).slice(2)}-${counter++}`,
    timestamp: new Date(Date.now() - 60_000).toISOString(),
    model: "claude-sonnet-4-5",
    latencyMs: 1234,
    inputTokens: 100,
    outputTokens: 50,
    ...overrides,
  };
}
