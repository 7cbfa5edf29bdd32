import type { BucketName } from "./time-range";

/**
 * Numbers and dates for people: latency in ms or s, money in $, tokens in k/M, rates in %, times
 * in UTC or the viewer's zone. Every formatter takes null (no data) and answers an em dash, so a
 * gap never reads as zero.
 */
const DASH = "—";

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  if (ms === 0) return "0 ms";
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return DASH;
  const abs = Math.abs(usd);
  const sign = usd < 0 ? "-" : "";
  if (abs === 0) return "$0.00";
  if (abs < 0.01) return `${sign}$${abs.toPrecision(2)}`;
  if (abs < 1000) return `${sign}$${abs.toFixed(2)}`;
  if (abs < 1_000_000) return `${sign}$${(abs / 1000).toFixed(abs < 10_000 ? 2 : 1)}k`;
  return `${sign}$${(abs / 1_000_000).toFixed(2)}M`;
}

/**
 * A cost per request with four significant figures under $1 ("$0.01563"): per-request costs are
 * cents, and two decimals would show $0.02 -> $0.02 next to a 20% saving.
 */
export function formatCostPerRequest(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return DASH;
  if (usd === 0) return "$0";
  if (Math.abs(usd) >= 1) return `${usd < 0 ? "-" : ""}$${Math.abs(usd).toFixed(2)}`;
  const abs = Math.abs(usd);
  const decimals = Math.min(12, 3 - Math.floor(Math.log10(abs)));
  return `${usd < 0 ? "-" : ""}$${abs.toFixed(decimals)}`;
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n));
  if (abs < 1_000_000) return `${(n / 1000).toFixed(abs < 10_000 ? 1 : 0)}k`;
  if (abs < 1_000_000_000) return `${(n / 1_000_000).toFixed(abs < 10_000_000 ? 2 : 1)}M`;
  return `${(n / 1_000_000_000).toFixed(2)}B`;
}

/** Tokens read like counts (1.2k, 3.4M). */
export const formatTokens = formatCount;

export function formatPercent(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return DASH;
  return `${(rate * 100).toFixed(digits)}%`;
}

export function formatRate(perSec: number | null | undefined): string {
  if (perSec === null || perSec === undefined || !Number.isFinite(perSec)) return DASH;
  return `${perSec < 10 ? perSec.toFixed(1) : Math.round(perSec)}/s`;
}

/** Relative change against the previous period, or null when there is nothing to compare. */
export function relativeChange(current: number | null | undefined, previous: number | null | undefined): number | null {
  if (current === null || current === undefined || previous === null || previous === undefined) return null;
  if (previous === 0) return current === 0 ? 0 : null;
  return (current - previous) / Math.abs(previous);
}

export function formatChange(change: number | null): string {
  if (change === null) return "no previous data";
  if (change === 0) return "no change";
  const pct = Math.abs(change) * 100;
  return `${change > 0 ? "▲" : "▼"} ${pct >= 100 ? Math.round(pct) : pct.toFixed(1)}%`;
}

// Dates. Tables that the server renders too use UTC with no locale, so server and browser agree
// (no hydration mismatch); lists and charts drawn only in the browser use the viewer's zone.

type When = string | number | Date;

function dateOf(at: When | null | undefined): Date | null {
  if (at === null || at === undefined) return null;
  const d = at instanceof Date ? at : new Date(at);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "2026-11-27 04:33 UTC" (or "04:33:11 UTC" with seconds): the same wherever it is rendered. */
export function formatUtc(at: When | null | undefined, opts: { seconds?: boolean } = {}): string {
  const d = dateOf(at);
  if (!d) return DASH;
  return `${d.toISOString().slice(0, opts.seconds ? 19 : 16).replace("T", " ")} UTC`;
}

/** "2026-11-27": the UTC date alone (price effective dates, recompute ranges). */
export function formatUtcDay(at: When | null | undefined): string {
  const d = dateOf(at);
  return d ? d.toISOString().slice(0, 10) : DASH;
}

/** Where a browser-only formatter reads the zone and locale; tests pin them. */
export type ZoneOptions = { locale?: string; timeZone?: string };

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(opts: Intl.DateTimeFormatOptions, zone: ZoneOptions): Intl.DateTimeFormat {
  const key = JSON.stringify([zone.locale, zone.timeZone, opts]);
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(zone.locale, { ...opts, timeZone: zone.timeZone });
    formatters.set(key, f);
  }
  return f;
}

/** "Nov 27, 04:33" (with seconds: "Nov 27, 04:33:11") in the viewer's zone, for lists drawn in the browser. */
export function formatLocal(at: When | null | undefined, opts: { seconds?: boolean } & ZoneOptions = {}): string {
  const d = dateOf(at);
  if (!d) return DASH;
  const { seconds, ...zone } = opts;
  return formatter({ month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", ...(seconds ? { second: "2-digit" } : {}) }, zone).format(d);
}

/** Chart axis ticks in the viewer's zone, as fine as the buckets: a day, an hour, or a minute. */
export function timeTick(bucket: BucketName | undefined, zone: ZoneOptions = {}): (t: number) => string {
  const opts: Intl.DateTimeFormatOptions =
    bucket === "1d" ? { month: "short", day: "numeric" } : bucket === "1h" ? { month: "short", day: "numeric", hour: "2-digit" } : { hour: "2-digit", minute: "2-digit" };
  const f = formatter(opts, zone);
  return (t) => f.format(new Date(t));
}

/** A chart tooltip's heading: date and time in the viewer's zone. */
export function timeLabel(t: number, zone: ZoneOptions = {}): string {
  return formatter({ dateStyle: "medium", timeStyle: "short" }, zone).format(new Date(t));
}
