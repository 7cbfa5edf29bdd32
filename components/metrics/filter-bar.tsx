"use client";

import { EVENT_STATUSES } from "@/lib/events/event-enums";
import type { Dimensions } from "@/lib/metrics/get-dimensions";
import { seriesLabel } from "@/lib/metrics/chart-data";
import { Select } from "../ui/input";
import type { MetricsState } from "./search-params";

type Dim = "model" | "route" | "agent";
const DIMS: { key: Dim; label: string; plural: keyof Dimensions }[] = [
  { key: "model", label: "Model", plural: "models" },
  { key: "route", label: "Route", plural: "routes" },
  { key: "agent", label: "Agent", plural: "agents" },
];

/** Dimension filters; options come from what the range saw, plus the current value if it did not. */
export function FilterBar({ state, dimensions, onChange }: { state: MetricsState; dimensions: Dimensions | undefined; onChange: (next: Partial<MetricsState>) => void }) {
  return (
    <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Filters">
      {DIMS.map((d) => {
        const seen = dimensions?.[d.plural] ?? [];
        const current = state[d.key];
        const options = current !== null && !seen.includes(current) ? [current, ...seen] : seen;
        return (
          <label key={d.key} className="flex items-center gap-1 text-sm">
            <span className="text-[var(--muted)]">{d.label}</span>
            <Select
              value={current ?? "__all"}
              onChange={(e) => onChange({ [d.key]: e.target.value === "__all" ? null : e.target.value })}
              data-testid={`filter-${d.key}`}
              className="max-w-48"
            >
              <option value="__all">All</option>
              {options.map((v) => (
                <option key={v} value={v}>
                  {seriesLabel(v)}
                </option>
              ))}
            </Select>
          </label>
        );
      })}
      <label className="flex items-center gap-1 text-sm">
        <span className="text-[var(--muted)]">Status</span>
        <Select value={state.status ?? "__all"} onChange={(e) => onChange({ status: e.target.value === "__all" ? null : (e.target.value as MetricsState["status"]) })} data-testid="filter-status">
          <option value="__all">All</option>
          {EVENT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </Select>
      </label>
      <label className="flex items-center gap-1 text-sm" title="Calls made from the playground (route playground) are left out unless this is on">
        <input type="checkbox" checked={state.playground === "include"} onChange={(e) => onChange({ playground: e.target.checked ? "include" : null })} data-testid="filter-playground" />
        <span className="text-[var(--muted)]">Include playground</span>
      </label>
    </div>
  );
}
