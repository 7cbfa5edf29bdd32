/**
 * `*` wildcard matching for policy patterns (`claude-opus-*`, `support-*`). Only `*` is special so a
 * pattern reads the way it is written; everything else, including `?` and `.`, matches itself.
 * Linear in the value: the parts are found with startsWith/endsWith/indexOf, never a RegExp (a
 * pattern is user input, and one built to backtrack must not stall the gateway).
 */

/** A pattern split once (per policy version, see field-matchers.ts), not on every request. */
export type CompiledGlob = {
  /** The value must equal this (a pattern without `*`). */
  readonly exact: string | null;
  readonly first: string;
  readonly last: string;
  /** The parts between `*`s, found left to right. */
  readonly middle: readonly string[];
  readonly minLength: number;
};

export function compileGlob(pattern: string): CompiledGlob {
  if (!pattern.includes("*")) return { exact: pattern, first: "", last: "", middle: [], minLength: pattern.length };
  const parts = pattern.split("*");
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p !== "");
  return { exact: null, first, last, middle, minLength: first.length + last.length + middle.reduce((n, p) => n + p.length, 0) };
}

export function globMatches(g: CompiledGlob, value: string): boolean {
  if (g.exact !== null) return g.exact === value;
  if (value.length < g.minLength) return false;
  if (!value.startsWith(g.first) || !value.endsWith(g.last)) return false;
  // Greedy left-to-right for the middle parts is correct for `*`-only patterns.
  let pos = g.first.length;
  const end = value.length - g.last.length;
  for (const part of g.middle) {
    const at = value.indexOf(part, pos);
    if (at < 0 || at + part.length > end) return false;
    pos = at + part.length;
  }
  return true;
}

// For callers that hold a bare pattern (minCacheableTokens' overrides): compiled once per pattern.
const COMPILED = new Map<string, CompiledGlob>();
const MAX_CACHED_PATTERNS = 8192;

export function matchesGlob(pattern: string, value: string): boolean {
  let g = COMPILED.get(pattern);
  if (g === undefined) {
    if (COMPILED.size >= MAX_CACHED_PATTERNS) COMPILED.clear();
    g = compileGlob(pattern);
    COMPILED.set(pattern, g);
  }
  return globMatches(g, value);
}
