"use client";

import { CartesianGrid, Line, LineChart, ReferenceDot, Tooltip, XAxis, YAxis } from "recharts";
import type { CurvePoint } from "@/lib/advisor/findings-view";
import { colorAt } from "@/components/charts/chart-config";

/** The response-cache hit rate against the TTL, the recommended TTL marked. Props only. */
export function FindingsTtlChart({ points, height = 160 }: { points: CurvePoint[]; height?: number }) {
  if (points.length === 0) return null;
  const rows = points.map((p) => ({ label: p.label, hitRate: Math.round(p.hitRate * 1000) / 10 }));
  const knee = points.find((p) => p.recommended);
  return (
    <figure data-testid="findings-ttl-chart" aria-label="Hit rate against TTL">
      <figcaption className="text-xs text-[var(--muted)]">Hit rate (%) against TTL{knee ? `; recommended ${knee.label}` : ""}</figcaption>
      <LineChart width={420} height={height} data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
        <XAxis dataKey="label" stroke="var(--muted)" fontSize={10} />
        <YAxis domain={[0, 100]} stroke="var(--muted)" fontSize={10} width={32} />
        <Tooltip formatter={(v) => `${v}%`} />
        <Line type="monotone" dataKey="hitRate" name="hit rate" stroke={colorAt(0)} dot isAnimationActive={false} />
        {knee ? <ReferenceDot x={knee.label} y={Math.round(knee.hitRate * 1000) / 10} r={5} fill={colorAt(1)} stroke="none" /> : null}
      </LineChart>
    </figure>
  );
}
