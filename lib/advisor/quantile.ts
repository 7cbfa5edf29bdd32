/**
 * percentile_cont (linear between the closest ranks) without sorting, for the findings and the
 * replay alike: selection puts the rank-floor value in place and the next rank is the smallest
 * value after it. Sorting per measure and route was the largest cost of a million-event analysis
 * in both profiles; this is linear.
 */

/** The q-quantile (0..1) of `a`, reordering `a`; null when `a` is empty. */
export function quantileInPlace(a: Float64Array, q: number): number | null {
  return quantilesInPlace(a, [q])[0]!;
}

/**
 * Several quantiles of `a` at once, `qs` ascending, reordering `a`: each selection after the first
 * runs only over the values above the one before (they are already there), so the p95 after the
 * p50 costs half a pass. The same values as quantileInPlace one by one.
 */
export function quantilesInPlace(a: Float64Array, qs: readonly number[]): (number | null)[] {
  if (a.length === 0) return qs.map(() => null);
  const out: (number | null)[] = [];
  let from = 0;
  for (const q of qs) {
    const pos = (a.length - 1) * q;
    const lo = Math.floor(pos);
    // Values before `from` are at most a[from - 1], itself at most the lo-th smallest: the lo-th lies at or after `from`.
    if (lo >= from) select(a, lo, from);
    from = Math.max(from, lo + 1);
    const low = a[lo]!;
    if (pos === lo) {
      out.push(low);
      continue;
    }
    let high = Infinity;
    for (let i = lo + 1; i < a.length; i++) if (a[i]! < high) high = a[i]!;
    out.push(low + (high - low) * (pos - lo));
  }
  return out;
}

/** The k-th smallest value of `a` (0-based), reordering `a`: smaller values end up before it, larger after. */
export function orderStatistic(a: Float64Array, k: number): number {
  select(a, k);
  return a[k]!;
}

/** The same over an ascending array, by definition: what quantileInPlace is checked against. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Moves the k-th smallest value of a to a[k], smaller ones before it, larger after (Hoare quickselect), over a[left..]. */
function select(a: Float64Array, k: number, left = 0): void {
  let right = a.length - 1;
  while (right > left) {
    const pivot = a[(left + right) >> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}
