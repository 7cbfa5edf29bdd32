"use client";

import { Line, LineChart, YAxis } from "recharts";
import { isolatedValues } from "@/lib/metrics/chart-data";
import { isolatedDot } from "./isolated-dot";

/** A tiny trend line for tables; gaps stay gaps and a lone value is a dot. Fixed size, so it needs no container. */
export function Sparkline({ values, color = "var(--chart-1)", width = 120, height = 28, label }: { values: (number | null)[]; color?: string; width?: number; height?: number; label: string }) {
  if (values.every((v) => v === null)) return <span className="text-xs text-[var(--muted)]">no data</span>;
  const data = values.map((v, i) => ({ i, v }));
  const isolated = isolatedValues(values);
  return (
    <span role="img" aria-label={label} className="inline-block align-middle">
      <LineChart width={width} height={height} data={data} margin={{ top: 2, right: 2, bottom: 2, left: 2 }}>
        <YAxis hide domain={["dataMin", "dataMax"]} />
        <Line dataKey="v" stroke={color} strokeWidth={1.5} dot={isolatedDot(isolated, color, 2)} isAnimationActive={false} connectNulls={false} />
      </LineChart>
    </span>
  );
}
