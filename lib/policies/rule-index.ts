import type { PatternSet } from "./field-matchers";

/**
 * Which rules can match a request, found from one of its names (the route, the agent or the
 * requested model: whichever the most rules constrain) instead of walking every rule. Built once
 * per policy version from each rule's compiled patterns for that field:
 * - rules without a matcher on it (or with `*`, or a glob starting with `*`) are always candidates;
 * - exact names are looked up in a Map;
 * - other globs are filed under their literal prefix (`support-` for `support-*`), looked up once
 *   per distinct prefix length that fits the name.
 * Each list is in rule order, so the first match is the smallest index any list yields. The
 * candidates are then checked in full: the index only skips rules whose name cannot match.
 * Linear in the name's length and the candidates, with no RegExp.
 */
export type RuleIndex = {
  readonly always: readonly number[];
  readonly exact: ReadonlyMap<string, readonly number[]>;
  readonly prefixes: ReadonlyMap<string, readonly number[]>;
  /** Distinct prefix lengths, ascending. */
  readonly prefixLengths: readonly number[];
};

function file(map: Map<string, number[]>, key: string, i: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [i]);
  else if (list[list.length - 1] !== i) list.push(i);
}

/** How many rules the index on this field would leave out of the always-checked list. */
export function indexable(sets: readonly (PatternSet | null)[]): number {
  return sets.filter((set) => set !== null && !set.any && !set.globs.some((g) => g.first === "")).length;
}

export function buildRuleIndex(sets: readonly (PatternSet | null)[]): RuleIndex {
  const always: number[] = [];
  const exact = new Map<string, number[]>();
  const prefixes = new Map<string, number[]>();
  sets.forEach((set, i) => {
    if (set === null || set.any || set.globs.some((g) => g.first === "")) {
      always.push(i);
      return;
    }
    for (const name of set.exact ?? []) file(exact, name, i);
    for (const g of set.globs) file(prefixes, g.first, i);
  });
  const prefixLengths = [...new Set([...prefixes.keys()].map((k) => k.length))].sort((a, b) => a - b);
  return { always, exact, prefixes, prefixLengths };
}

/** The first index in `list` (rule order) below `bound` that passes `test`, else `bound`. */
function firstIn(list: readonly number[], test: (i: number) => boolean, bound: number): number {
  for (let k = 0; k < list.length; k++) {
    const i = list[k]!;
    if (i >= bound) return bound;
    if (test(i)) return i;
  }
  return bound;
}

/** The first rule (index) among the name's candidates that passes `test`, or -1. */
export function firstCandidate(index: RuleIndex, name: string | null | undefined, test: (i: number) => boolean): number {
  let best = firstIn(index.always, test, Infinity);
  if (name != null) {
    const named = index.exact.get(name);
    if (named !== undefined) best = firstIn(named, test, best);
    for (const length of index.prefixLengths) {
      if (length > name.length) break;
      const list = index.prefixes.get(name.slice(0, length));
      if (list !== undefined) best = firstIn(list, test, best);
    }
  }
  return best === Infinity ? -1 : best;
}
