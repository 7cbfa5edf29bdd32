import { z } from "zod";
import { EVENT_KINDS, EVENT_STATUSES, RESPONSE_CACHE_STATUSES } from "../events/event-enums";
import type { EventField, EventRecord } from "../events/event-record";
import { MAX_RESPONSE_CACHE_TTL_SEC } from "../policies/cache-policy-schema";
import { INGEST_LIMITS as L } from "./limits";
import { checkJsonShape } from "./json-shape";
import { storableText, unsafeTextReason } from "../safe-text";

const text = (max: number) => z.string().max(max, `at most ${max} characters`).superRefine(storableText);

const optText = (max: number = L.maxStringLength) => text(max).nullish();
const tokens = z.number().int("must be a whole number").min(0).max(L.maxTokens);
const millis = z.number().finite().min(0).max(L.maxLatencyMs);

// ISO-8601 with an explicit zone (Z or +hh:mm): a zoneless time is ambiguous and refused.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Tags: a flat string map. Checked in place (never rebuilt) so `__proto__` stays a plain key. */
const Tags = z.custom<Record<string, string>>((v) => v !== null && typeof v === "object" && !Array.isArray(v), {
  message: "must be an object of string values",
}).superRefine((tags, ctx) => {
  const keys = Object.keys(tags);
  if (keys.length > L.maxTags) ctx.addIssue({ code: "custom", message: `at most ${L.maxTags} tags` });
  for (const key of keys) {
    const value = (tags as Record<string, unknown>)[key];
    if (key.length === 0 || key.length > L.maxTagKeyLength) {
      ctx.addIssue({ code: "custom", message: `tag keys are 1-${L.maxTagKeyLength} characters` });
    } else if (typeof value !== "string") {
      ctx.addIssue({ code: "custom", message: `tag ${JSON.stringify(key)} must be a string` });
    } else if (value.length > L.maxTagValueLength) {
      ctx.addIssue({ code: "custom", message: `tag ${JSON.stringify(key)} is longer than ${L.maxTagValueLength} characters` });
    } else {
      const reason = unsafeTextReason(key) ?? unsafeTextReason(value);
      if (reason) ctx.addIssue({ code: "custom", message: `tag ${reason}` });
    }
    if (ctx.issues?.length) return;
  }
});

const Metadata = z.custom<Record<string, unknown>>((v) => v !== null && typeof v === "object" && !Array.isArray(v), {
  message: "must be a JSON object",
}).superRefine((meta, ctx) => {
  const shape = checkJsonShape(meta, L.maxMetadataDepth);
  if (shape) {
    ctx.addIssue({ code: "custom", message: `has ${shape}` });
    return;
  }
  if (Buffer.byteLength(JSON.stringify(meta)) > L.maxMetadataBytes) {
    ctx.addIssue({ code: "custom", message: `is larger than ${L.maxMetadataBytes / 1024} KB` });
  }
});

/**
 * The wire name of each stored field: the record's `ts` arrives as `timestamp`, and `costUsd`
 * (optional) becomes `costNanoUsd` and `costSource`. Each field's parsed value must fit its column
 * (EventRecord, derived from db/schema/events.ts), so a field renamed or retyped in the table
 * fails this file's typecheck, not an insert at run time.
 */
type StoredFromWire = Exclude<EventField, "ts" | "costNanoUsd" | "costSource">;
type WireFields = { [K in StoredFromWire]: z.ZodType<EventRecord[K] | null | undefined> } & {
  timestamp: z.ZodType<string>;
  costUsd: z.ZodType<number | null | undefined>;
};

const fields = {
  id: text(L.maxIdLength).min(1, "must not be empty"),
  timestamp: z.string().max(40).regex(ISO_WITH_ZONE, "must be ISO-8601 with a time zone, e.g. 2026-01-01T12:00:00Z"),
  kind: z.enum(EVENT_KINDS).default("llm"),
  agent: optText(),
  route: optText(),
  sessionId: optText(),
  traceId: optText(),
  parentId: optText(),
  userId: optText(),
  provider: text(64).default("anthropic"),
  model: optText(),
  requestedModel: optText(),
  status: z.enum(EVENT_STATUSES).default("ok"),
  errorType: optText(),
  httpStatus: z.number().int().min(100).max(599).nullish(),
  latencyMs: millis.nullish(),
  ttftMs: millis.nullish(),
  streamed: z.boolean().default(false),
  inputTokens: tokens.nullish(),
  outputTokens: tokens.nullish(),
  cacheReadTokens: tokens.default(0),
  cacheWrite5mTokens: tokens.default(0),
  cacheWrite1hTokens: tokens.default(0),
  responseCache: z.enum(RESPONSE_CACHE_STATUSES).default("none"),
  costUsd: z.number().finite().min(0).max(1_000_000).nullish(),
  promptHash: optText(128),
  systemHash: optText(128),
  systemTokens: tokens.nullish(),
  messageCount: z.number().int().min(0).max(1_000_000).nullish(),
  toolCount: z.number().int().min(0).max(10_000).nullish(),
  policyVersion: z.number().int().min(0).max(2_147_483_647).nullish(),
  requestedCacheTtlSec: z.number().int().min(0).max(MAX_RESPONSE_CACHE_TTL_SEC).nullish(),
  tags: Tags.default({}),
  metadata: Metadata.default({}),
} satisfies WireFields;

export const IngestEvent = z
  .object(fields)
  .strict()
  .superRefine((e, ctx) => {
    const required = e.kind === "llm" ? (["model", "latencyMs", "inputTokens", "outputTokens"] as const) : e.kind === "count_tokens" ? (["model", "latencyMs"] as const) : [];
    for (const field of required) {
      if (e[field] === undefined || e[field] === null) {
        ctx.addIssue({ code: "custom", path: [field], message: `is required for ${e.kind} events` });
      }
    }
  });

export type IngestEvent = z.infer<typeof IngestEvent>;
/** What a producer sends (the gateway, the SDK, OTLP): defaults not yet applied. */
export type IngestEventInput = z.input<typeof IngestEvent>;

export const IngestEnvelope = z.object({
  events: z.array(z.unknown()).max(L.maxEventsPerBatch, `at most ${L.maxEventsPerBatch} events per batch`),
});

/** One readable line from a zod error: `field: message; other: message`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "event"}: ${i.message}`)
    .join("; ");
}
