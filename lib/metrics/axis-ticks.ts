// Pure and browser-safe: money axes with round steps. Recharts' own ticks (0, 0.045, 0.09, ...)
// read as uneven once rounded to cents ("$0.04 $0.09 $0.14"); steps of 1, 2 or 5 × 10^k do not.
import type { ChartRow } from "./chart-data";

/** Round ticks from 0 to at least `max`, about `target` steps, each step 1, 2 or 5 × a power of ten. */
export function niceTicks(max: number, target = 4): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0];
  const raw = max / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const n = Math.ceil(max / step - 1e-9);
  // Multiply, do not add: 0.1 + 0.2 must not drift into 0.30000000000000004 on the axis.
  return Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

/** Dollars with as many decimals as the step needs (at least cents), so every label is exact. */
export function usdTickFormat(ticks: readonly number[]): (usd: number) => string {
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
  const decimals = Math.max(2, Math.ceil(-Math.log10(step) - 1e-9));
  return (usd) => `$${usd.toFixed(decimals)}`;
}

/** A money axis for rows of series: ticks over the largest bucket (stacked: the bucket's sum). */
export function moneyAxis(rows: readonly ChartRow[], keys: readonly string[], opts: { stacked: boolean }): { ticks: number[]; format: (usd: number) => string } {
  let max = 0;
  for (const r of rows) {
    const values = keys.map((k) => {
      const v = r[k];
      return typeof v === "number" && Number.isFinite(v) ? v : 0;
    });
    max = Math.max(max, opts.stacked ? values.reduce((a, v) => a + v, 0) : Math.max(0, ...values));
  }
  const ticks = niceTicks(max);
  return { ticks, format: usdTickFormat(ticks) };
}
