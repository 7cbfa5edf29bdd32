"use client";

import { ResponsiveContainer } from "recharts";
import { EmptyState, ErrorState, LoadingState } from "../ui/states";
import { cn } from "../ui/cn";
import type { SeriesConfig } from "./chart-config";

/**
 * The one frame around every chart: fixed height, loading / empty / error states, and a legend
 * built from the series config (so colours match the tooltip and the lines). Charts pass only
 * the Recharts element; they never fetch.
 */
export function ChartContainer({
  series,
  height = 220,
  loading,
  error,
  empty,
  emptyHint,
  onRetry,
  note,
  testId,
  className,
  digest,
  children,
}: {
  series: SeriesConfig[];
  height?: number;
  loading?: boolean;
  error?: unknown;
  empty?: boolean;
  emptyHint?: string;
  onRetry?: () => void;
  /** e.g. "Top 8 of 23 models" when the series list was cut. */
  note?: string;
  testId?: string;
  className?: string;
  /** What is drawn, as data attributes: lets tests and tools see a chart change without pixels. */
  digest?: { rows: number; sum: number };
  children: React.ReactElement;
}) {
  let body: React.ReactNode;
  if (error) body = <ErrorState error={error} onRetry={onRetry} />;
  else if (loading) body = <LoadingState />;
  else if (empty) body = <EmptyState title="No data in this range" hint={emptyHint ?? "Widen the range or clear filters."} />;
  else
    body = (
      <ResponsiveContainer width="100%" height={height}>
        {children}
      </ResponsiveContainer>
    );
  const ready = !error && !loading && !empty;
  return (
    <div
      className={cn("min-w-0", className)}
      data-testid={testId}
      data-state={error ? "error" : loading ? "loading" : empty ? "empty" : "ready"}
      data-series={series.map((s) => s.label).join("|")}
      data-rows={digest?.rows}
      data-sum={digest ? Number(digest.sum.toPrecision(12)) : undefined}
    >
      <div style={{ minHeight: height }} className="flex flex-col justify-center">
        {body}
      </div>
      {ready && series.length > 1 ? (
        <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-[var(--muted)]" aria-label="Legend">
          {series.map((s) => (
            <li key={s.key} className="flex items-center gap-1.5">
              <span className="inline-block h-2 w-3 rounded-sm" style={{ background: s.color }} />
              {s.label}
            </li>
          ))}
        </ul>
      ) : null}
      {ready && note ? <p className="mt-1 text-xs text-[var(--muted)]">{note}</p> : null}
    </div>
  );
}
