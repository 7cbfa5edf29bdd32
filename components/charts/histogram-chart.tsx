"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { HistogramBin } from "@/lib/playground/stats";
import { colorAt } from "./chart-config";

/** Per-pane histograms on shared bins, drawn on one chart (bars side by side per bin). Props only. */
export function HistogramChart({ bins, series, format, height = 160, testId }: { bins: HistogramBin[]; series: string[]; format: (v: number) => string; height?: number; testId?: string }) {
  if (bins.length === 0) return <p className="p-4 text-sm text-[var(--muted)]">No successful calls yet.</p>;
  const rows = bins.map((b) => ({ label: format((b.from + b.to) / 2), ...b.counts }));
  return (
    <div data-testid={testId} className="min-w-0" style={{ height }}>
      {/* As wide as its column: a fixed width overflowed the summary card three to a row. */}
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} barGap={0} barCategoryGap={1}>
        <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
        <XAxis dataKey="label" stroke="var(--muted)" fontSize={10} minTickGap={16} />
        <YAxis allowDecimals={false} stroke="var(--muted)" fontSize={10} width={28} />
        <Tooltip cursor={{ fill: "var(--border)", opacity: 0.4 }} />
        {series.map((s, i) => (
          <Bar key={s} dataKey={s} name={s} fill={colorAt(i)} fillOpacity={0.75} isAnimationActive={false} />
        ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
