import { compileGlob, globMatches, type CompiledGlob } from "./glob";

/**
 * The fields policy rules match on, compiled once per policy version so a request only compares:
 * a pattern or list of patterns (exact names in a Set, globs split beforehand), a tag set (keys
 * and values as parallel arrays) and an inclusive integer range (absent bounds as ±Infinity).
 * Pure and dependency-free: the gateway, the dry-run, the impact preview and the SDK share it.
 */

export type PatternSet = {
  /** Exact names (patterns without `*`); null when there are none. */
  readonly exact: ReadonlySet<string> | null;
  readonly globs: readonly CompiledGlob[];
  /** A bare `*` is in the list: anything matches. */
  readonly any: boolean;
};

export function compilePatterns(patterns: string | readonly string[]): PatternSet {
  const list = typeof patterns === "string" ? [patterns] : patterns;
  const exact = new Set<string>();
  const globs: CompiledGlob[] = [];
  let any = false;
  for (const p of list) {
    const g = compileGlob(p);
    if (g.exact !== null) exact.add(g.exact);
    else if (g.minLength === 0) any = true;
    else globs.push(g);
  }
  return { exact: exact.size > 0 ? exact : null, globs, any };
}

export function patternsMatch(set: PatternSet, value: string): boolean {
  if (set.any) return true;
  if (set.exact !== null && set.exact.has(value)) return true;
  for (const g of set.globs) if (globMatches(g, value)) return true;
  return false;
}

export type TagSet = { readonly keys: readonly string[]; readonly values: readonly string[] };

export function compileTags(tags: Readonly<Record<string, string>>): TagSet {
  const keys = Object.keys(tags);
  return { keys, values: keys.map((k) => tags[k]!) };
}

/** Every listed k=v is present. Own properties only, so `__proto__` or `constructor` never match by accident. */
export function tagsHold(want: TagSet, have: Readonly<Record<string, string>>): boolean {
  for (let i = 0; i < want.keys.length; i++) {
    const key = want.keys[i]!;
    if (have[key] !== want.values[i] || !Object.hasOwn(have, key)) return false;
  }
  return true;
}

export type Range = { readonly min: number; readonly max: number };

export function compileRange(range: { min?: number; max?: number }): Range {
  return { min: range.min ?? -Infinity, max: range.max ?? Infinity };
}

export function within(range: Range, n: number): boolean {
  return n >= range.min && n <= range.max;
}
