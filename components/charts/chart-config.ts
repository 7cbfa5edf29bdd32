import { seriesColorSlots } from "@/lib/metrics/series-colors";

/** What a chart draws: each series' data key, label and colour (a CSS variable, so themes switch). */
export type SeriesConfig = { key: string; label: string; color: string };

export type ValueFormat = (value: number) => string;

const PALETTE = Array.from({ length: 8 }, (_, i) => `var(--chart-${i + 1})`);

/** Colours for series in order; they repeat after eight (charts cut series at eight anyway). */
export function paletteSeries(keys: string[], label: (key: string) => string = (k) => k): SeriesConfig[] {
  return keys.map((key, i) => ({ key, label: label(key), color: PALETTE[i % PALETTE.length]! }));
}

export function colorAt(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

/** Colours by name (a model keeps its colour across ranges); `among` is every key sharing the palette. */
export function colorsByName(among: readonly string[]): (key: string) => string {
  const slots = seriesColorSlots(among, PALETTE.length);
  return (key) => PALETTE[slots.get(key) ?? 0]!;
}

/** Series coloured by name, not rank: for models and other named series that come and go. */
export function namedSeries(keys: string[], label: (key: string) => string = (k) => k, color: (key: string) => string = colorsByName(keys)): SeriesConfig[] {
  return keys.map((key) => ({ key, label: label(key), color: color(key) }));
}
