/**
 * The PREPARE step of a chart, kept pure: every bucket of the range gets a point, in order.
 * Missing buckets take `empty` (0 for counts and sums, null for rates and percentiles: a gap).
 */
export function fillSeries<V>(starts: number[], present: Map<number, V>, empty: () => V): { t: number; value: V }[] {
  return starts.map((t) => ({ t, value: present.get(t) ?? empty() }));
}

/** Keeps the `limit` largest series by `weight`, and says how many there were. */
export function topSeries<K>(weights: Map<K, number>, limit: number): { keep: K[]; total: number } {
  const keep = [...weights.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([k]) => k);
  return { keep, total: weights.size };
}
