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

export type BucketName = "1m" | "5m" | "1h" | "1d";

/** Axis ticks in the viewer's time zone, as fine as the buckets. */
export function timeTick(bucket: BucketName | undefined): (t: number) => string {
  const opts: Intl.DateTimeFormatOptions =
    bucket === "1d" ? { month: "short", day: "numeric" } : bucket === "1h" ? { month: "short", day: "numeric", hour: "2-digit" } : { hour: "2-digit", minute: "2-digit" };
  const fmt = new Intl.DateTimeFormat(undefined, opts);
  return (t) => fmt.format(new Date(t));
}

export function timeLabel(t: number): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(new Date(t));
}
