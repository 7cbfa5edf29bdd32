import type { PatternSet } from "./field-matchers";

/**
 * Which rules can match a request, found from its route instead of walking every rule. Built once
 * per policy version from each rule's compiled route patterns:
 * - rules without a route matcher (or with `*`, or a glob starting with `*`) are always candidates;
 * - exact routes are looked up in a Map;
 * - other globs are filed under their literal prefix (`support-` for `support-*`), looked up once
 *   per distinct prefix length that fits the route.
 * Each list is in rule order, so the first match is the smallest index any list yields. The
 * candidates are then checked in full: the index only skips rules whose route cannot match.
 * Linear in the route's length and the candidates, with no RegExp.
 */
export type RouteIndex = {
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

export function buildRouteIndex(routes: readonly (PatternSet | null)[]): RouteIndex {
  const always: number[] = [];
  const exact = new Map<string, number[]>();
  const prefixes = new Map<string, number[]>();
  routes.forEach((set, i) => {
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

/** The first rule (index) among the route's candidates that passes `test`, or -1. */
export function firstCandidate(index: RouteIndex, route: string | null | undefined, test: (i: number) => boolean): number {
  let best = firstIn(index.always, test, Infinity);
  if (route != null) {
    const named = index.exact.get(route);
    if (named !== undefined) best = firstIn(named, test, best);
    for (const length of index.prefixLengths) {
      if (length > route.length) break;
      const list = index.prefixes.get(route.slice(0, length));
      if (list !== undefined) best = firstIn(list, test, best);
    }
  }
  return best === Infinity ? -1 : best;
}
