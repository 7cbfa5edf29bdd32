"use client";

import { parseAsString, useQueryStates } from "nuqs";
import { useState } from "react";
import { rangeProblem } from "@/lib/metrics/range-problem";
import { Button } from "../ui/button";
import { cn } from "../ui/cn";
import type { MetricsState, RangeOption } from "./search-params";

const PRESETS: { id: Exclude<RangeOption, "custom">; label: string }[] = [
  { id: "1h", label: "1h" },
  { id: "24h", label: "24h" },
  { id: "7d", label: "7d" },
  { id: "30d", label: "30d" },
];

/** datetime-local works in the viewer's zone; the URL keeps ISO instants. */
function toLocalInput(d: Date | null): string {
  if (!d) return "";
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

export function RangePicker({ state, onChange }: { state: MetricsState; onChange: (next: Partial<MetricsState>) => void }) {
  const [open, setOpen] = useState(state.range === "custom");
  const [from, setFrom] = useState(() => toLocalInput(state.from ?? new Date(Date.now() - 86_400_000)));
  const [to, setTo] = useState(() => toLocalInput(state.to ?? new Date()));
  const [error, setError] = useState<string | null>(null);
  // The URL's own strings: the parsed state has already swapped a bad value for the default.
  const [raw] = useQueryStates({ range: parseAsString, from: parseAsString, to: parseAsString });
  const problem = rangeProblem(raw);
  // While the Custom panel is open, Custom is the choice being made, not the preset still shown.
  const chosen: RangeOption = open ? "custom" : state.range;

  const apply = (e: React.FormEvent) => {
    e.preventDefault();
    const f = new Date(from);
    const t = new Date(to);
    if (Number.isNaN(f.getTime()) || Number.isNaN(t.getTime())) return setError("Enter both dates.");
    if (f >= t) return setError("The start must be before the end.");
    setError(null);
    onChange({ range: "custom", from: f, to: t });
  };

  return (
    <div className="flex flex-wrap items-center gap-2">
      <div role="group" aria-label="Time range" className="inline-flex overflow-hidden rounded-md border border-[var(--border)]">
        {PRESETS.map((p) => (
          <button
            key={p.id}
            type="button"
            onClick={() => {
              setOpen(false);
              onChange({ range: p.id, from: null, to: null });
            }}
            aria-pressed={chosen === p.id}
            data-testid={`range-${p.id}`}
            className={cn("px-3 py-1.5 text-sm", chosen === p.id ? "bg-[var(--accent)] text-white" : "bg-[var(--card)] hover:bg-[var(--border)]")}
          >
            {p.label}
          </button>
        ))}
        <button
          type="button"
          onClick={() => setOpen((o) => !o)}
          aria-pressed={chosen === "custom"}
          aria-expanded={open}
          data-testid="range-custom"
          className={cn("px-3 py-1.5 text-sm", chosen === "custom" ? "bg-[var(--accent)] text-white" : "bg-[var(--card)] hover:bg-[var(--border)]")}
        >
          Custom
        </button>
      </div>
      {problem ? (
        <span role="alert" className="text-sm text-amber-700 dark:text-amber-300" data-testid="range-problem">
          {problem}
        </span>
      ) : null}
      {open ? (
        <form onSubmit={apply} className="flex flex-wrap items-center gap-2 text-sm" data-testid="custom-range">
          <label className="flex items-center gap-1">
            From
            <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} className="rounded-md border border-[var(--border)] bg-[var(--card)] px-2 py-1" />
          </label>
          <label className="flex items-center gap-1">
            To
            <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} className="rounded-md border border-[var(--border)] bg-[var(--card)] px-2 py-1" />
          </label>
          <Button type="submit">Apply</Button>
          {error ? (
            <span role="alert" className="text-red-600">
              {error}
            </span>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}
