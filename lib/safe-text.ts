import type { z } from "zod";

/**
 * Postgres text and jsonb refuse NUL, and lone UTF-16 surrogates cannot be encoded as UTF-8:
 * such strings are rejected with a clear error rather than silently altered (or failing as a 500
 * in the database). Client-safe: the policy editor checks with the same schemas.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function unsafeTextReason(s: string): string | null {
  if (s.includes("\u0000")) return "contains a NUL character";
  if (LONE_SURROGATE.test(s)) return "contains an unpaired UTF-16 surrogate";
  return null;
}

/** For `z.string().superRefine(storableText)`: any string that will be stored. */
export function storableText(s: string, ctx: z.RefinementCtx): void {
  const reason = unsafeTextReason(s);
  if (reason) ctx.addIssue({ code: "custom", message: reason });
}
