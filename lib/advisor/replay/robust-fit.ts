import { orderStatistic } from "../quantile";

/**
 * Huber-weighted least squares (iteratively reweighted), with non-negative coefficients.
 * A feature column that never varies from zero gets coefficient 0 instead of a singular system
 * (a model whose calls never read the cache has no cache-read slope to learn). Small: a handful
 * of features, solved by Gaussian elimination on the normal equations.
 */
export function robustLinearFit(x: number[][], y: number[], iterations = 8): number[] {
  const p = x[0]?.length ?? 0;
  if (p === 0 || x.length === 0) return [];
  let active = Array.from({ length: p }, (_, j) => j === 0 || x.some((row) => row[j] !== 0));
  let beta = new Array<number>(p).fill(0);
  const w = new Array<number>(x.length).fill(1);
  for (let pass = 0; pass < p; pass++) {
    for (let it = 0; it < iterations; it++) {
      beta = weightedSolve(x, y, w, active);
      const residuals = y.map((v, i) => v - dot(x[i]!, beta));
      const scale = 1.4826 * medianAbs(residuals) || 1;
      // Huber's k = 1.345 keeps 95% efficiency on normal noise while capping a stall's pull.
      const k = 1.345 * scale;
      for (let i = 0; i < w.length; i++) {
        const r = Math.abs(residuals[i]!);
        w[i] = r <= k ? 1 : k / r;
      }
    }
    // A negative slope is noise (more tokens never make a model faster): drop it and refit.
    const negative = beta.findIndex((b, j) => j > 0 && active[j] && b < 0);
    if (negative < 0) break;
    active = active.map((a, j) => a && j !== negative);
  }
  return beta.map((b, j) => (active[j] ? Math.max(0, b) : 0));
}

/** Plain least squares (every column, unit weights, signs free): for checking what the columns can explain. */
export function leastSquares(x: number[][], y: number[]): number[] {
  const p = x[0]?.length ?? 0;
  if (p === 0 || x.length === 0) return [];
  return weightedSolve(x, y, new Array<number>(x.length).fill(1), new Array<boolean>(p).fill(true));
}

function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!;
  return s;
}

/**
 * The median of |xs| (the middle two's mean for an even count), by selection: a comparator sort
 * per iteration was half of the fit in a 1M-call profile. The same value as sorting.
 */
function medianAbs(xs: number[]): number {
  const a = Float64Array.from(xs, Math.abs);
  const m = a.length >> 1;
  const high = orderStatistic(a, m);
  if (a.length % 2) return high;
  let low = -Infinity;
  for (let i = 0; i < m; i++) if (a[i]! > low) low = a[i]!;
  return (low + high) / 2;
}

function weightedSolve(x: number[][], y: number[], w: number[], active: boolean[]): number[] {
  const cols = active.flatMap((a, j) => (a ? [j] : []));
  const q = cols.length;
  const a = Array.from({ length: q }, () => new Array<number>(q + 1).fill(0));
  for (let i = 0; i < x.length; i++) {
    const row = x[i]!;
    for (let r = 0; r < q; r++) {
      const xr = row[cols[r]!]! * w[i]!;
      for (let c = 0; c < q; c++) a[r]![c]! += xr * row[cols[c]!]!;
      a[r]![q]! += xr * y[i]!;
    }
  }
  // A tiny ridge keeps a collinear pair (every call the same size) solvable.
  for (let r = 0; r < q; r++) a[r]![r]! += 1e-9 * (a[r]![r]! || 1);
  for (let c = 0; c < q; c++) {
    let pivot = c;
    for (let r = c + 1; r < q; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r;
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    const d = a[c]![c]! || 1e-12;
    for (let r = 0; r < q; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / d;
      if (f === 0) continue;
      for (let k = c; k <= q; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  const beta = new Array<number>(active.length).fill(0);
  cols.forEach((j, r) => (beta[j] = a[r]![q]! / (a[r]![r]! || 1e-12)));
  return beta;
}
