import type { CachedResponse } from "../response-cache";

/** A realistic final Message for store tests; `textChars` sizes the answer. */
export function cachedMessage(projectId: string, opts: { text?: string; textChars?: number; model?: string } = {}): CachedResponse {
  const model = opts.model ?? "claude-sonnet-4-5";
  const text = opts.text ?? "x".repeat(opts.textChars ?? 40);
  return {
    projectId,
    model,
    createdAt: Date.now(),
    message: {
      id: `msg_${Math.random().toString(36).slice(2)}`,
      type: "message",
      role: "assistant",
      model,
      content: [{ type: "text", text }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  };
}
