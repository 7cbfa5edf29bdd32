"use client";

import { Line, LineChart, ReferenceLine, XAxis, YAxis } from "recharts";
import { isolatedValues } from "@/lib/metrics/chart-data";
import { rowDomain, type ChartMarker } from "./change-markers";
import { isolatedDot } from "./isolated-dot";

/**
 * A tiny trend line for tables; gaps stay gaps and a lone value is a dot. Fixed size, so it needs no container.
 * Given the buckets' `times`, policy changes are drawn as thin lines (too small to click: the page's
 * full chart carries the clickable markers).
 */
export function Sparkline({
  values,
  times,
  markers,
  color = "var(--chart-1)",
  width = 120,
  height = 28,
  label,
}: {
  values: (number | null)[];
  times?: readonly number[];
  markers?: readonly ChartMarker[];
  color?: string;
  width?: number;
  height?: number;
  label: string;
}) {
  if (values.every((v) => v === null)) return <span className="text-xs text-[var(--muted)]">no data</span>;
  const timed = times !== undefined && times.length === values.length;
  const data = values.map((v, i) => ({ x: timed ? times[i]! : i, v }));
  const isolated = isolatedValues(values);
  const domain = timed ? rowDomain(data.map((d) => ({ t: d.x }))) : null;
  const shown = domain && markers ? markers.filter((m) => m.t >= domain.min && m.t <= domain.max) : [];
  return (
    <span role="img" aria-label={shown.length > 0 ? `${label}; ${shown.map((m) => m.title).join("; ")}` : label} className="inline-block align-middle" data-markers={shown.length}>
      <LineChart width={width} height={height} data={data} margin={{ top: 2, right: 2, bottom: 2, left: 2 }}>
        <XAxis hide dataKey="x" type="number" domain={domain ? [domain.min, domain.max] : ["dataMin", "dataMax"]} />
        <YAxis hide domain={["dataMin", "dataMax"]} />
        <Line dataKey="v" stroke={color} strokeWidth={1.5} dot={isolatedDot(isolated, color, 2)} isAnimationActive={false} connectNulls={false} />
        {shown.map((m) => (
          <ReferenceLine key={`${m.t}-${m.label}`} x={m.t} stroke="var(--accent)" strokeDasharray="2 2" strokeWidth={1} />
        ))}
      </LineChart>
    </span>
  );
}
