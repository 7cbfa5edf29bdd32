"use client";

import type { SeriesConfig, ValueFormat } from "./chart-config";
import { timeLabel } from "@/lib/metrics/format";

type Entry = { dataKey?: unknown; value?: unknown };

/**
 * The one tooltip of every chart: the bucket's time, then each series with its colour and a
 * formatted value; a gap reads "no data", never 0.
 */
export function ChartTooltip({ active, payload, label, series, format }: { active?: boolean; payload?: readonly Entry[]; label?: unknown; series: SeriesConfig[]; format: ValueFormat }) {
  if (!active || !payload || payload.length === 0) return null;
  const byKey = new Map(payload.map((p) => [String(p.dataKey), p.value]));
  return (
    <div className="rounded-md border border-[var(--border)] bg-[var(--card)] px-3 py-2 text-xs shadow-md" data-testid="chart-tooltip">
      <div className="mb-1 font-medium">{typeof label === "number" ? timeLabel(label) : String(label ?? "")}</div>
      <ul className="space-y-0.5">
        {series.map((s) => {
          const v = byKey.get(s.key);
          return (
            <li key={s.key} className="flex items-center gap-2">
              <span className="inline-block h-2 w-2 rounded-full" style={{ background: s.color }} />
              <span className="text-[var(--muted)]">{s.label}</span>
              <span className="ml-auto pl-3 tabular-nums">{typeof v === "number" ? format(v) : "no data"}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
