import { z } from "zod";
import { RANGE_NAMES } from "../metrics/schemas";
import type { RangePreset } from "../metrics/time-range";

const opt = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());
const isoTime = z.iso.datetime({ offset: true, message: "must be ISO-8601 with a time zone, e.g. 2026-01-01T12:00:00Z" });

export const TraceDetailParams = z.object({ project: opt(z.string().max(63)), traceId: z.string().min(1).max(256) }).strict();

export const SessionListParams = z
  .object({
    project: opt(z.string().max(63)),
    range: opt(z.enum(RANGE_NAMES as [RangePreset, ...RangePreset[]])),
    from: opt(isoTime),
    to: opt(isoTime),
    agent: opt(z.string().max(256)),
    limit: opt(z.coerce.number().int().min(1).max(200)).transform((n) => n ?? 50),
  })
  .strict();
