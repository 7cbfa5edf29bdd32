import type { ChartRow } from "@/lib/metrics/chart-data";
import type { SeriesConfig } from "./chart-config";

/** How many rows a chart draws and the sum of its drawn values (gaps count as nothing). */
export function digestOf(rows: ChartRow[], series: SeriesConfig[]): { rows: number; sum: number } {
  let sum = 0;
  for (const r of rows) for (const s of series) sum += r[s.key] ?? 0;
  return { rows: rows.length, sum };
}
