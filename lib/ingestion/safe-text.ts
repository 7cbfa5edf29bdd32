/**
 * Postgres text and jsonb refuse NUL, and lone UTF-16 surrogates cannot be encoded as UTF-8:
 * such strings are rejected with a clear error rather than silently altered.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function unsafeTextReason(s: string): string | null {
  if (s.includes("\u0000")) return "contains a NUL character";
  if (LONE_SURROGATE.test(s)) return "contains an unpaired UTF-16 surrogate";
  return null;
}
