/**
 * The fallback chain, decided without I/O so the gateway's retry loop stays small and testable.
 * The chain is [plan.model, ...plan.fallbacks]. Only failures before the first response byte reach
 * here; once bytes flowed to the client nothing may be retried.
 */

export type AttemptFailure = {
  /** Upstream HTTP status; absent for a timeout or a connection error. */
  status?: number;
  /** `error.details.error_code` from the upstream error body, when present. */
  errorCode?: string;
  /** From retry-after-ms / retry-after, when present. */
  retryAfterMs?: number;
};

export type NextAttempt = { index: number; model: string; delayMs: number };

export const SPEND_LIMIT_ERROR_CODE = "enforced_spend_limit_reached";

/** 429 (unless the spend limit), 529, any 5xx, and timeouts or connection errors. */
export function isRetryableFailure(failure: AttemptFailure): boolean {
  const { status } = failure;
  if (status === undefined) return true;
  if (status === 429) return failure.errorCode !== SPEND_LIMIT_ERROR_CODE;
  return status >= 500;
}

/**
 * What to try after chain[index] failed, or null to give up and answer the failure. Moving to a
 * different model goes at once (rate limits are per model); retrying the same model waits for
 * retry-after. A step whose wait would overrun the budget is skipped in favour of a later,
 * different model, and nothing starts once the budget is spent.
 */
export function nextAttempt(
  chain: readonly string[],
  index: number,
  failure: AttemptFailure,
  time: { elapsedMs: number; budgetMs: number },
): NextAttempt | null {
  if (!isRetryableFailure(failure)) return null;
  const failed = chain[index];
  for (let j = index + 1; j < chain.length; j++) {
    const model = chain[j]!;
    const delayMs = model === failed ? Math.max(0, failure.retryAfterMs ?? 0) : 0;
    if (time.elapsedMs + delayMs <= time.budgetMs) return { index: j, model, delayMs };
  }
  return null;
}

/**
 * Milliseconds from `retry-after-ms` (Anthropic's precise header) or `retry-after` (seconds or an
 * HTTP date); undefined when absent or unreadable.
 */
export function parseRetryAfterMs(headers: { retryAfterMs?: string | null; retryAfter?: string | null }, now = Date.now()): number | undefined {
  const ms = headers.retryAfterMs?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  const ra = headers.retryAfter?.trim();
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Math.ceil(Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Reads `error.details.error_code` from an Anthropic error body, if it has one. */
export function upstreamErrorCode(body: unknown): string | undefined {
  const error = (body as { error?: { details?: { error_code?: unknown } } } | null)?.error;
  const code = error?.details?.error_code;
  return typeof code === "string" ? code : undefined;
}
