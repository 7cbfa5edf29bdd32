/**
 * Rough token counts for routing and prompt-caching decisions, at ~4 characters per token. The
 * gateway never calls count_tokens on the hot path; a policy threshold only needs the magnitude.
 */
export const CHARS_PER_TOKEN = 4;

export function tokensFromChars(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/** Characters of text a value contributes to a prompt: strings as-is, anything else as JSON. */
export function promptChars(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === "string") return value.length;
  return JSON.stringify(value).length;
}

/** Estimated prompt tokens of a Messages request: system, messages and tools. */
export function estimateRequestTokens(body: { system?: unknown; messages?: unknown; tools?: unknown }): number {
  return tokensFromChars(promptChars(body.system) + promptChars(body.messages) + promptChars(body.tools));
}
