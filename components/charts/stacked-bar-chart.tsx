"use client";

import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { timeDomain, type ChartRow } from "@/lib/metrics/chart-data";
import { ChartContainer } from "./chart-container";
import { timeTick } from "@/lib/metrics/format";
import type { BucketName } from "@/lib/metrics/time-range";
import type { SeriesConfig, ValueFormat } from "./chart-config";
import { ChartTooltip } from "./chart-tooltip";
import { markerLines, rowDomain, type ChartMarker } from "./change-markers";
import { digestOf } from "./digest";

/** Sums per bucket stacked by series (tokens by kind, cost by model, requests and errors). */
export function StackedBarChart({
  rows,
  series,
  format,
  bucket,
  height = 220,
  loading,
  error,
  onRetry,
  testId,
  note,
  markers,
  stacked = true,
  integer = false,
  yAxis,
}: {
  rows: ChartRow[];
  series: SeriesConfig[];
  format: ValueFormat;
  bucket?: BucketName;
  height?: number;
  loading?: boolean;
  error?: unknown;
  onRetry?: () => void;
  testId?: string;
  note?: string;
  /** Policy changes to mark on the time axis (see change-markers.tsx). */
  markers?: readonly ChartMarker[];
  stacked?: boolean;
  /** Whole-number ticks for counts: with a few requests the axis would repeat rounded labels (1, 2, 2, 3). */
  integer?: boolean;
  /** Ticks and their labels chosen by the page (a money axis: lib/metrics/axis-ticks.ts). */
  yAxis?: { ticks: number[]; format: ValueFormat };
}) {
  const empty = rows.every((r) => series.every((s) => !r[s.key]));
  return (
    <ChartContainer series={series} height={height} loading={loading} error={error} onRetry={onRetry} empty={empty} testId={testId} note={note} digest={digestOf(rows, series)}>
      <BarChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
        <XAxis dataKey="t" type="number" scale="time" domain={timeDomain(rows, bucket)} padding={{ left: 8, right: 8 }} tickFormatter={timeTick(bucket)} stroke="var(--muted)" fontSize={11} minTickGap={24} />
        <YAxis
          allowDecimals={!integer}
          tickFormatter={yAxis?.format ?? format}
          {...(yAxis && yAxis.ticks.length > 1 ? { ticks: yAxis.ticks, domain: [0, yAxis.ticks[yAxis.ticks.length - 1]!] } : {})}
          stroke="var(--muted)"
          fontSize={11}
          width={72}
        />
        <Tooltip cursor={{ fill: "var(--border)", opacity: 0.4 }} content={(p) => <ChartTooltip active={p.active} payload={p.payload} label={p.label} series={series} format={format} />} />
        {series.map((s) => (
          <Bar key={s.key} dataKey={s.key} name={s.label} fill={s.color} stackId={stacked ? "stack" : undefined} isAnimationActive={false} maxBarSize={28} />
        ))}
        {markerLines(markers, rowDomain(rows))}
      </BarChart>
    </ChartContainer>
  );
}
