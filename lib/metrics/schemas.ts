import { z } from "zod";
import { EVENT_KINDS, EVENT_STATUSES, RESPONSE_CACHE_STATUSES } from "../events/event-enums";
import { AppError } from "../errors";
import { BUCKETS, RANGE_PRESETS } from "./time-range";

/** Query-string values: an empty value means "not given". */
const opt = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

const dimension = z.string().max(256, "at most 256 characters");
const isoTime = z.iso.datetime({ offset: true, message: "must be ISO-8601 with a time zone, e.g. 2026-01-01T12:00:00Z" });

export const RANGE_NAMES = Object.keys(RANGE_PRESETS) as (keyof typeof RANGE_PRESETS)[];
export const BUCKET_NAMES = ["auto", ...(Object.keys(BUCKETS) as (keyof typeof BUCKETS)[])] as const;
export const GROUP_BY = ["model", "route", "agent"] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** Filters shared by the summary, the time series and the events list. */
export const MetricFilters = z.object({
  /** The project slug, for signed-in callers; project keys are bound to their project. */
  project: opt(z.string().max(63)),
  range: opt(z.enum(RANGE_NAMES as [keyof typeof RANGE_PRESETS, ...(keyof typeof RANGE_PRESETS)[]])),
  from: opt(isoTime),
  to: opt(isoTime),
  model: opt(dimension),
  route: opt(dimension),
  agent: opt(dimension),
  status: opt(z.enum(EVENT_STATUSES)),
  /** Playground calls (route `playground`) are left out unless asked for, or filtered by route. */
  playground: opt(z.enum(["include", "exclude"])),
});
export type MetricFilters = z.infer<typeof MetricFilters>;

export const SummaryParams = MetricFilters.extend({
  kind: opt(z.enum(EVENT_KINDS)).transform((k) => k ?? "llm"),
}).strict();
export type SummaryParams = z.infer<typeof SummaryParams>;

export const TIMESERIES_METRICS = ["requests", "latency", "ttft", "tps", "tokens", "cost", "cache"] as const;
export type TimeseriesMetric = (typeof TIMESERIES_METRICS)[number];

export const TimeseriesParams = SummaryParams.extend({
  metric: z.enum(TIMESERIES_METRICS, { message: `metric is one of ${TIMESERIES_METRICS.join(", ")}` }),
  bucket: opt(z.enum(BUCKET_NAMES)).transform((b) => b ?? "auto"),
  groupBy: opt(z.enum(GROUP_BY)),
  limit: opt(z.coerce.number().int().min(1).max(50)).transform((n) => n ?? 8),
}).strict();
export type TimeseriesParams = z.infer<typeof TimeseriesParams>;

export const EventListParams = MetricFilters.extend({
  kind: opt(z.enum(EVENT_KINDS)),
  sessionId: opt(z.string().max(256)),
  traceId: opt(z.string().max(256)),
  responseCache: opt(z.enum(RESPONSE_CACHE_STATUSES)),
  cursor: opt(z.string().max(512)),
  limit: opt(z.coerce.number().int().min(1).max(200)).transform((n) => n ?? 50),
}).strict();
export type EventListParams = z.infer<typeof EventListParams>;

export const EventDetailParams = z.object({ project: opt(z.string().max(63)), id: z.string().min(1).max(128) }).strict();

export const RecomputeBody = z
  .object({ from: isoTime, to: isoTime })
  .strict()
  .refine((b) => Date.parse(b.from) < Date.parse(b.to), { message: "`from` must be before `to`", path: ["from"] });
export type RecomputeBody = z.infer<typeof RecomputeBody>;

/**
 * Refuses a NUL (U+0000) in any query parameter name or value. Postgres text cannot hold one, so
 * such a filter can never match, and sent to the database it fails the whole query (a 500).
 * Handlers call this before anything else reads the query (the project slug lookup included).
 */
export function refuseNulInQuery(params: URLSearchParams): void {
  for (const [k, v] of params) {
    if (k.includes("\u0000") || v.includes("\u0000")) {
      const name = k.replaceAll("\u0000", "\\0");
      throw new AppError("bad_request:params", `Invalid query: ${name} contains a NUL character (%00), which no stored value can hold.`);
    }
  }
}

/** Parses URL search params with a schema; a bad value is a 400 naming the parameter. */
export function parseSearch<T extends z.ZodType>(schema: T, params: URLSearchParams): z.infer<T> {
  refuseNulInQuery(params);
  const raw: Record<string, string> = {};
  for (const [k, v] of params) raw[k] = v;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const message = parsed.error.issues
      .slice(0, 5)
      .map((i) => (i.code === "unrecognized_keys" ? `unknown parameter ${i.keys.join(", ")}` : `${i.path.join(".") || "query"}: ${i.message}`))
      .join("; ");
    throw new AppError("bad_request:params", `Invalid query: ${message}.`);
  }
  return parsed.data;
}
