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
 * fields replace earlier ones). Cache writes come split by TTL in `cache_creation`; an upstream
 * that only gives the total is counted as 5-minute writes, the API's default TTL.
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
    const total = int(u.cache_creation_input_tokens);
    if (total !== undefined) {
      into.cacheWrite5mTokens = total;
      into.cacheWrite1hTokens = 0;
    }
  }
  return into;
}
