const BASE = "http://pitwall.invalid";

/**
 * A `next` target (after sign-in) that stays on this site. Browsers drop tabs and newlines from
 * a URL and read `\` as `/`, so `/\t/evil.example` is `//evil.example`: such characters are
 * refused outright, and what remains must resolve to this origin.
 */
export function safeNext(next: string | null | undefined, fallback = "/"): string {
  if (!next || !next.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return fallback;
  }
  return url.origin === BASE && !next.startsWith("//") ? next : fallback;
}
