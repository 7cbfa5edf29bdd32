"use client";

import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { isolatedPoints, timeDomain, type ChartRow } from "@/lib/metrics/chart-data";
import { ChartContainer } from "./chart-container";
import { timeTick } from "@/lib/metrics/format";
import type { BucketName } from "@/lib/metrics/time-range";
import type { SeriesConfig, ValueFormat } from "./chart-config";
import { ChartTooltip } from "./chart-tooltip";
import { isolatedDot } from "./isolated-dot";
import { markerLines, rowDomain, type ChartMarker } from "./change-markers";
import { digestOf } from "./digest";

/**
 * Lines over time (percentiles, rates). Null values are gaps: the line breaks, it never dips to 0.
 * A value with gaps on both sides has no segment to draw, so it gets a dot (first hour of traffic).
 */
export function TimeLineChart({
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
}) {
  const empty = rows.every((r) => series.every((s) => r[s.key] === null || r[s.key] === undefined));
  const isolated = new Map(series.map((s) => [s.key, isolatedPoints(rows, s.key)]));
  return (
    <ChartContainer series={series} height={height} loading={loading} error={error} onRetry={onRetry} empty={empty} testId={testId} note={note} digest={digestOf(rows, series)}>
      <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
        <XAxis dataKey="t" type="number" scale="time" domain={timeDomain(rows, bucket)} tickFormatter={timeTick(bucket)} stroke="var(--muted)" fontSize={11} minTickGap={24} />
        <YAxis tickFormatter={format} stroke="var(--muted)" fontSize={11} width={72} />
        <Tooltip content={(p) => <ChartTooltip active={p.active} payload={p.payload} label={p.label} series={series} format={format} />} />
        {series.map((s) => (
          <Line key={s.key} dataKey={s.key} name={s.label} stroke={s.color} strokeWidth={2} dot={isolatedDot(isolated.get(s.key) ?? [], s.color, 3.5)} isAnimationActive={false} connectNulls={false} />
        ))}
        {markerLines(markers, rowDomain(rows))}
      </LineChart>
    </ChartContainer>
  );
}
