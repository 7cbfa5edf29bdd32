import { sql, type SQL } from "drizzle-orm";

/**
 * DDSketch-style log buckets. A positive value v goes to bucket k = ceil(ln v / ln γ), which holds
 * (γ^(k-1), γ^k]; the bucket's representative 2γ^k / (γ+1) is within α of every value in it. With
 * α = 0.8% (γ ≈ 1.0161, ~144 buckets per decade) a merged percentile stays inside the promised 1%
 * with room for floating-point edges. Zero has a bucket of its own (so do values below MIN_VALUE,
 * 1e-300: no latency or rate is that small, and it keeps every key's value a normal double).
 */
export const RELATIVE_ACCURACY = 0.008;
export const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
export const LN_GAMMA = Math.log(GAMMA);
export const MIN_VALUE = 1e-300;
export const ZERO_KEY = -100_000;
/** Larger values (a rate over a near-zero duration, say) are counted at this ceiling. */
export const MAX_VALUE = 1e300;

/** The bucket key of a value (the SQL below computes the same at ingest). */
export function bucketKey(value: number): number {
  if (!(value >= MIN_VALUE)) return ZERO_KEY;
  return Math.ceil(Math.log(Math.min(value, MAX_VALUE)) / LN_GAMMA);
}

/** The value a bucket stands for. */
export function bucketValue(key: number): number {
  if (key <= ZERO_KEY) return 0;
  return (2 * Math.exp(key * LN_GAMMA)) / (GAMMA + 1);
}

/** SQL for the bucket key of a double-precision expression; null stays null (no sample). */
export function bucketKeySql(value: SQL): SQL {
  return sql`case when ${value} is null then null when ${value} < ${sql.raw(String(MIN_VALUE))} then ${sql.raw(String(ZERO_KEY))}
    else ceil(ln(least(${value}, ${sql.raw(String(MAX_VALUE))}::float8)) / ${sql.raw(LN_GAMMA.toPrecision(17))})::int end`;
}

export const QUANTILES = [0.5, 0.9, 0.95, 0.99] as const;
export type Quantile = (typeof QUANTILES)[number];
export type Percentiles = { p50: number | null; p90: number | null; p95: number | null; p99: number | null };

/**
 * Interpolates like Postgres' percentile_cont: rank r = q(n-1) between the values at floor(r) and
 * ceil(r). A mix of two values each within α of the truth is itself within α of the true mix.
 */
export function interpolate(q: number, total: number, keyLo: number | null, keyHi: number | null): number | null {
  if (total <= 0 || keyLo === null || keyHi === null) return null;
  const rank = q * (total - 1);
  const lo = bucketValue(keyLo);
  const hi = bucketValue(keyHi);
  return lo + (rank - Math.floor(rank)) * (hi - lo);
}

/** Percentiles of a merged histogram given as (key, count) pairs in any order. */
export function percentilesOf(buckets: [number, number][], quantiles: readonly number[] = QUANTILES): (number | null)[] {
  const sorted = [...buckets].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((s, [, n]) => s + n, 0);
  const keyAtRank = (rank: number): number | null => {
    let cum = 0;
    for (const [k, n] of sorted) {
      cum += n;
      if (cum > rank) return k;
    }
    return null;
  };
  return quantiles.map((q) => {
    if (total === 0) return null;
    const rank = q * (total - 1);
    return interpolate(q, total, keyAtRank(Math.floor(rank)), keyAtRank(Math.ceil(rank)));
  });
}

/**
 * Merges many histograms fast: counts sit in a Float64Array over the keys seen (it grows when a
 * key falls outside), zero apart. Dashboard queries add tens of thousands of buckets per request,
 * where a Map costs several times more.
 */
export class HistAccumulator {
  private lo = 0;
  private counts: Float64Array | null = null;
  private zero = 0;
  /** The lowest and highest non-zero keys added: merges and percentiles scan only that span. */
  private minKey = Infinity;
  private maxKey = -Infinity;
  total = 0;

  add(key: number, n: number): void {
    this.total += n;
    if (key <= ZERO_KEY) {
      this.zero += n;
      return;
    }
    let c = this.counts;
    if (!c || key < this.lo || key >= this.lo + c.length) c = this.grow(key);
    c[key - this.lo]! += n;
    if (key < this.minKey) this.minKey = key;
    if (key > this.maxKey) this.maxKey = key;
  }

  /** Adds packed buckets (see hist-codec.ts): big-endian int4 key, int8 count, 12 bytes each. */
  addEncoded(bytes: Uint8Array | null): void {
    if (!bytes || bytes.length === 0) return;
    if (bytes.length % 12 !== 0) throw new Error(`corrupt histogram: ${bytes.length} bytes`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let o = 0; o < bytes.length; o += 12) this.add(view.getInt32(o), view.getUint32(o + 4) * 4_294_967_296 + view.getUint32(o + 8));
  }

  /**
   * Adds another accumulator. Only the other's occupied span is read (a minute row's 60 samples
   * sit in ~100 of its 1,024 slots; scanning every slot made this 15x slower than DDSketch's merge,
   * see `npm run bench:sketch`), and this one grows at most twice, before the loop.
   */
  merge(other: HistAccumulator): void {
    if (other.zero) this.add(ZERO_KEY, other.zero);
    const src = other.counts;
    if (!src || other.maxKey < other.minKey) return;
    this.add(other.minKey, 0);
    this.add(other.maxKey, 0);
    const dst = this.counts!;
    const from = other.minKey - other.lo;
    const to = other.maxKey - other.lo;
    const shift = other.lo - this.lo;
    let added = 0;
    for (let i = from; i <= to; i++) {
      const n = src[i]!;
      if (n) {
        dst[i + shift]! += n;
        added += n;
      }
    }
    this.total += added;
  }

  private grow(key: number): Float64Array {
    const old = this.counts;
    if (!old) {
      this.lo = key - 512;
      this.counts = new Float64Array(1024);
      return this.counts;
    }
    const lo = Math.min(this.lo, key - 256);
    const hi = Math.max(this.lo + old.length, key + 257);
    const next = new Float64Array(Math.max(hi - lo, old.length * 2));
    next.set(old, this.lo - lo);
    this.lo = lo;
    this.counts = next;
    return next;
  }

  /** Like percentilesOf: percentile_cont's interpolation between the buckets at each rank. */
  percentiles(quantiles: readonly number[] = QUANTILES): (number | null)[] {
    const total = this.total;
    if (total <= 0) return quantiles.map(() => null);
    const ranks = quantiles.flatMap((q) => [Math.floor(q * (total - 1)), Math.ceil(q * (total - 1))]);
    const keys: (number | null)[] = ranks.map(() => null);
    let cum = this.zero;
    ranks.forEach((r, i) => {
      if (cum > r) keys[i] = ZERO_KEY;
    });
    const c = this.counts;
    if (c && this.maxKey >= this.minKey) {
      for (let i = this.minKey - this.lo; i <= this.maxKey - this.lo && keys.some((k) => k === null); i++) {
        if (!c[i]) continue;
        cum += c[i]!;
        ranks.forEach((r, j) => {
          if (keys[j] === null && cum > r) keys[j] = this.lo + i;
        });
      }
    }
    return quantiles.map((q, i) => interpolate(q, total, keys[2 * i]!, keys[2 * i + 1]!));
  }
}
