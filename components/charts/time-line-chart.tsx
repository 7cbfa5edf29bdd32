"use client";

import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import type { ChartRow } from "@/lib/metrics/chart-data";
import { ChartContainer } from "./chart-container";
import { timeTick, type BucketName, type SeriesConfig, type ValueFormat } from "./chart-config";
import { ChartTooltip } from "./chart-tooltip";
import { digestOf } from "./digest";

/** Lines over time (percentiles, rates). Null values are gaps: the line breaks, it never dips to 0. */
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
}) {
  const empty = rows.every((r) => series.every((s) => r[s.key] === null || r[s.key] === undefined));
  return (
    <ChartContainer series={series} height={height} loading={loading} error={error} onRetry={onRetry} empty={empty} testId={testId} note={note} digest={digestOf(rows, series)}>
      <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
        <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={timeTick(bucket)} stroke="var(--muted)" fontSize={11} minTickGap={24} />
        <YAxis tickFormatter={format} stroke="var(--muted)" fontSize={11} width={72} />
        <Tooltip content={(p) => <ChartTooltip active={p.active} payload={p.payload} label={p.label} series={series} format={format} />} />
        {series.map((s) => (
          <Line key={s.key} dataKey={s.key} name={s.label} stroke={s.color} strokeWidth={2} dot={false} isAnimationActive={false} connectNulls={false} />
        ))}
      </LineChart>
    </ChartContainer>
  );
}
