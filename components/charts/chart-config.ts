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
