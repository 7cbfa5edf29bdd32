/**
 * `*` wildcard matching for policy patterns (`claude-opus-*`, `support-*`). Only `*` is special so a
 * pattern reads the way it is written; everything else, including `?` and `.`, matches itself.
 */
// Splitting a pattern on every call was the largest cost of planRoute with many rules (the
// gateway hot path): patterns come from a few policy documents, so their parts are kept.
const PARTS = new Map<string, readonly string[]>();
const MAX_CACHED_PATTERNS = 8192;

function partsOf(pattern: string): readonly string[] {
  let parts = PARTS.get(pattern);
  if (parts === undefined) {
    if (PARTS.size >= MAX_CACHED_PATTERNS) PARTS.clear();
    parts = pattern.split("*");
    PARTS.set(pattern, parts);
  }
  return parts;
}

export function matchesGlob(pattern: string, value: string): boolean {
  if (!pattern.includes("*")) return pattern === value;
  const parts = partsOf(pattern);
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  // Greedy left-to-right for the middle parts is correct for `*`-only patterns.
  let pos = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const at = value.indexOf(part, pos);
    if (at < 0 || at + part.length > end) return false;
    pos = at + part.length;
  }
  return true;
}

/** A pattern or a list of patterns (any may match). */
export function matchesAny(patterns: string | readonly string[], value: string): boolean {
  if (typeof patterns === "string") return matchesGlob(patterns, value);
  for (const p of patterns) if (matchesGlob(p, value)) return true;
  return false;
}
