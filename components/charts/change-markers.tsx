"use client";

import { ReferenceLine } from "recharts";

/** A moment a policy version went live, drawn as a vertical line on time-series charts. */
export type ChartMarker = { t: number; label: string; title: string; onSelect?: () => void };

function MarkerLabel({ viewBox, marker, row }: { viewBox?: { x?: number; y?: number }; marker: ChartMarker; row: number }) {
  const x = viewBox?.x ?? 0;
  // Changes seconds apart share one x: their labels step down so each stays clickable.
  const y = (viewBox?.y ?? 0) + row * 16;
  return (
    <g
      role="button"
      tabIndex={0}
      aria-label={`${marker.title}: show before/after`}
      data-testid="chart-change-marker"
      style={{ cursor: "pointer" }}
      onClick={marker.onSelect}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === " ") marker.onSelect?.();
      }}
    >
      <title>{marker.title}</title>
      <rect x={x - 14} y={y} width={28} height={14} rx={3} fill="var(--accent)" />
      <text x={x} y={y + 10.5} textAnchor="middle" fontSize={9} fill="white">
        {marker.label}
      </text>
    </g>
  );
}

/**
 * Recharts reads its children's types, so markers are returned as ReferenceLine elements for the
 * chart components to place among their own children (not wrapped in a component of ours).
 */
export function markerLines(markers: readonly ChartMarker[] | undefined, domain: { min: number; max: number } | null) {
  if (!markers || !domain) return null;
  const shown = markers.filter((m) => m.t >= domain.min && m.t <= domain.max);
  const near = (Math.max(1, domain.max - domain.min) / 100) * 3;
  let row = 0;
  // A change inside the newest bucket lies past that bucket's start: the axis grows to show it.
  return shown.map((m, i) => {
    row = i > 0 && m.t - shown[i - 1]!.t < near ? (row + 1) % 4 : 0;
    return <ReferenceLine key={`${m.t}-${m.label}`} x={m.t} stroke="var(--accent)" strokeDasharray="4 3" ifOverflow="extendDomain" label={<MarkerLabel marker={m} row={row} />} />;
  });
}

/** The rows' time span, through the end of the last bucket (rows carry bucket starts). */
export function rowDomain(rows: readonly { t: number }[]): { min: number; max: number } | null {
  if (rows.length === 0) return null;
  const last = rows[rows.length - 1]!.t;
  const width = rows.length > 1 ? last - rows[rows.length - 2]!.t : 0;
  return { min: rows[0]!.t, max: last + width };
}
