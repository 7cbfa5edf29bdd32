import { formatChange } from "@/lib/metrics/format";
import { cn } from "../ui/cn";

/** Which way is good: latency down, hit rates up; requests and spend are neither. */
export type Better = "up" | "down" | "neither";

/** One headline number with its change against the previous period of the same length. */
export function KpiCard({ label, value, change, better = "neither", testId, loading, title }: { label: string; value: string; change: number | null; better?: Better; testId: string; loading?: boolean; title?: string }) {
  const tone =
    change === null || change === 0 || better === "neither"
      ? "text-[var(--muted)]"
      : (change > 0) === (better === "up")
        ? "text-emerald-700 dark:text-emerald-400"
        : "text-red-700 dark:text-red-400";
  return (
    <div className="rounded-lg border border-[var(--border)] bg-[var(--card)] p-3" title={title}>
      <div className="text-xs font-medium uppercase tracking-wide text-[var(--muted)]">{label}</div>
      <div className={cn("mt-1 text-xl font-semibold tabular-nums", loading && "opacity-50")} data-testid={testId}>
        {value}
      </div>
      <div className={cn("mt-0.5 text-xs tabular-nums", tone)} data-testid={`${testId}-change`}>
        {loading ? "\u00a0" : `${formatChange(change)}${change !== null ? " vs previous" : ""}`}
      </div>
    </div>
  );
}
