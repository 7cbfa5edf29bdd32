"use client";

import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import type { HistogramRow } from "@/lib/advisor/findings-view";
import { colorAt } from "@/components/charts/chart-config";

/** How long until the same prompt (or prefix) came again: the gaps the cache advice is built on. Props only. */
export function FindingsGapHistogram({ rows, title, height = 150 }: { rows: HistogramRow[]; title: string; height?: number }) {
  if (rows.length === 0) return null;
  return (
    <figure data-testid="findings-gap-histogram" aria-label={title}>
      <figcaption className="text-xs text-[var(--muted)]">{title}</figcaption>
      <BarChart width={420} height={height} data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} barCategoryGap={1}>
        <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
        <XAxis dataKey="label" stroke="var(--muted)" fontSize={10} minTickGap={8} />
        <YAxis allowDecimals={false} stroke="var(--muted)" fontSize={10} width={32} />
        <Tooltip cursor={{ fill: "var(--border)", opacity: 0.4 }} />
        <Bar dataKey="count" name="calls" fill={colorAt(2)} fillOpacity={0.8} isAnimationActive={false} />
      </BarChart>
    </figure>
  );
}
