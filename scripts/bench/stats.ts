import { availableParallelism, loadavg } from "node:os";

/** Small helpers shared by the benchmark scripts. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export function summarize(samples: number[]): { p50: number; p90: number; p99: number; max: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN, n: s.length };
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
export const rate = (n: number) => Math.round(n).toLocaleString("en-US");

/** Runs `workers` async loops pulling jobs from a shared index until `count` jobs are done. */
export async function runPool(count: number, workers: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        await job(i);
      }
    }),
  );
}

/** "load average 1.23 0.98 0.75 (2 cores)": printed next to figures, which move with the machine's load. */
export function loadAverage(): string {
  return `load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} (${availableParallelism()} cores)`;
}
