import { AppError } from "../errors";
import type { Watermarks } from "./rollup-seal";

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export const RANGE_PRESETS = { "1h": HOUR, "24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY } as const;
export type RangePreset = keyof typeof RANGE_PRESETS;

export const BUCKETS = { "1m": MINUTE, "5m": 5 * MINUTE, "1h": HOUR, "1d": DAY } as const;
export type BucketName = keyof typeof BUCKETS;

export const MAX_SPAN_MS = 400 * DAY;
export const MAX_POINTS = 1500;

export type TimeRange = { fromMs: number; toMs: number };

const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;
const ceilTo = (ms: number, step: number) => Math.ceil(ms / step) * step;

/**
 * The range a query covers, in whole minutes (the finest rollup): `from` rounds down and `to` up,
 * so the minute in progress is included and an event is visible as soon as its rollup is.
 * Explicit from/to win over a preset; the default is the last 24 hours.
 */
export function resolveRange(p: { range?: RangePreset; from?: string; to?: string }, nowMs = Date.now()): TimeRange {
  const toRaw = p.to ? Date.parse(p.to) : nowMs;
  const fromRaw = p.from ? Date.parse(p.from) : toRaw - RANGE_PRESETS[p.range ?? "24h"];
  const fromMs = floorTo(fromRaw, MINUTE);
  const toMs = ceilTo(toRaw, MINUTE);
  if (!(fromMs < toMs)) throw new AppError("bad_request:range", "`from` must be before `to`.");
  if (toMs - fromMs > MAX_SPAN_MS) throw new AppError("bad_request:range", "A range spans at most 400 days.");
  return { fromMs, toMs };
}

/** Chart buckets by span: about 60-200 points, and never a width the rollups cannot serve fast. */
export function autoBucket(range: TimeRange): BucketName {
  const span = range.toMs - range.fromMs;
  if (span <= 2 * HOUR) return "1m";
  if (span <= 12 * HOUR) return "5m";
  if (span <= 8 * DAY) return "1h";
  return "1d";
}

export function checkPoints(range: TimeRange, bucket: BucketName): void {
  const points = Math.ceil((range.toMs - floorTo(range.fromMs, BUCKETS[bucket])) / BUCKETS[bucket]);
  if (points > MAX_POINTS) {
    throw new AppError("bad_request:bucket", `A ${bucket} bucket over this range makes ${points} points; the most is ${MAX_POINTS}. Pick a wider bucket.`);
  }
}

/** The start of every bucket of the range, for filling gaps. */
export function bucketStarts(range: TimeRange, bucket: BucketName): number[] {
  const step = BUCKETS[bucket];
  const out: number[] = [];
  for (let t = floorTo(range.fromMs, step); t < range.toMs; t += step) out.push(t);
  return out;
}

export type Segment = { grainS: 60 | 3600 | 86_400; fromMs: number; toMs: number };

/**
 * Splits a minute-aligned range into the fewest rollup rows: whole sealed days, then whole sealed
 * hours, then minutes at the ragged edges (and wherever hours or days are not sealed yet).
 * `maxGrainMs` keeps rows inside one chart bucket (a 5-minute chart reads minute rows only).
 */
export function planSegments(range: TimeRange, marks: Watermarks, maxGrainMs: number = DAY): Segment[] {
  const out: Segment[] = [];
  const grains: { grainS: Segment["grainS"]; ms: number; sealedUntil: number }[] = [
    { grainS: 86_400, ms: DAY, sealedUntil: marks.dayUntilMs },
    { grainS: 3600, ms: HOUR, sealedUntil: marks.hourUntilMs },
  ];
  const plan = (a: number, b: number, level: number) => {
    if (a >= b) return;
    const g = grains[level];
    if (!g) {
      out.push({ grainS: 60, fromMs: a, toMs: b });
      return;
    }
    if (g.ms > maxGrainMs) return plan(a, b, level + 1);
    const s = ceilTo(a, g.ms);
    const e = Math.min(floorTo(b, g.ms), floorTo(g.sealedUntil, g.ms));
    if (s >= e) return plan(a, b, level + 1);
    plan(a, s, level + 1);
    out.push({ grainS: g.grainS, fromMs: s, toMs: e });
    plan(e, b, level + 1);
  };
  plan(range.fromMs, range.toMs, 0);
  return out;
}
