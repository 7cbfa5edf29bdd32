/** Token usage by kind, as Anthropic reports it (input excludes cached tokens). */
export type CallUsage = {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
};

export const ZERO_USAGE: CallUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 };

function int(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined;
}

/**
 * Merges an Anthropic `usage` object into `into` (message_delta usage is cumulative, so present
 * fields replace earlier ones). Cache writes come split by TTL in `cache_creation`; a total with
 * no split anywhere is counted as 5-minute writes, the API's default TTL.
 */
export function mergeUsage(into: CallUsage, raw: unknown): CallUsage {
  if (!raw || typeof raw !== "object") return into;
  const u = raw as Record<string, unknown>;
  const input = int(u.input_tokens);
  const output = int(u.output_tokens);
  const read = int(u.cache_read_input_tokens);
  if (input !== undefined) into.inputTokens = input;
  if (output !== undefined) into.outputTokens = output;
  if (read !== undefined) into.cacheReadTokens = read;
  const split = u.cache_creation as Record<string, unknown> | null | undefined;
  const w5 = int(split?.ephemeral_5m_input_tokens);
  const w1h = int(split?.ephemeral_1h_input_tokens);
  if (w5 !== undefined || w1h !== undefined) {
    into.cacheWrite5mTokens = w5 ?? 0;
    into.cacheWrite1hTokens = w1h ?? 0;
  } else {
    // A total without the split (a stream's message_delta): keep the split message_start gave
    // when it adds up; otherwise the unexplained part is counted as 5-minute writes.
    const total = int(u.cache_creation_input_tokens);
    if (total !== undefined && into.cacheWrite5mTokens + into.cacheWrite1hTokens !== total) {
      const oneHour = Math.min(into.cacheWrite1hTokens, total);
      into.cacheWrite1hTokens = oneHour;
      into.cacheWrite5mTokens = total - oneHour;
    }
  }
  return into;
}
