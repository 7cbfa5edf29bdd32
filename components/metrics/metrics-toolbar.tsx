"use client";

import type { Dimensions } from "@/lib/metrics/get-dimensions";
import { FilterBar } from "./filter-bar";
import { RangePicker } from "./range-picker";
import type { MetricsState } from "./search-params";
import { REFRESH_MS } from "./use-metrics";

/** Range, filters and auto-refresh, all kept in the URL. */
export function MetricsToolbar({
  state,
  dimensions,
  onChange,
  fetching,
  filters = true,
}: {
  state: MetricsState;
  dimensions: Dimensions | undefined;
  onChange: (next: Partial<MetricsState>) => void;
  fetching?: boolean;
  filters?: boolean;
}) {
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2 rounded-lg border border-[var(--border)] bg-[var(--card)] p-2">
      <RangePicker state={state} onChange={onChange} />
      {filters ? <FilterBar state={state} dimensions={dimensions} onChange={onChange} /> : null}
      <label className="ml-auto flex items-center gap-1.5 text-sm">
        <input type="checkbox" checked={state.refresh} onChange={(e) => onChange({ refresh: e.target.checked })} data-testid="auto-refresh" />
        Auto-refresh ({REFRESH_MS / 1000} s)
        <span aria-live="polite" className="w-4 text-[var(--muted)]" data-testid="fetching">
          {fetching ? "…" : ""}
        </span>
      </label>
    </div>
  );
}
