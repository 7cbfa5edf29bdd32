import { describe, expect, expectTypeOf, it } from "vitest";
import { events } from "@/db/schema";
import { callEvent, type CallOutcome } from "../gateway/call-event";
import { IngestEvent, type IngestEventInput } from "../ingestion/event-schema";
import { normalizeEvent } from "../ingestion/normalize-event";
import type { SpanMapping } from "../otel/genai-span";
import type { EventDetail, EventListItem } from "../metrics/event-list";
import { EVENT_BYTES, PACKED, type RollupCostDelta, type RollupEvent } from "../metrics/rollup-event";
import { PriceBook } from "../pricing/compute-cost";
import { EVENT_KINDS, EVENT_STATUSES, RESPONSE_CACHE_STATUSES } from "./event-enums";
import { EVENT_RECORD_COLUMNS, type EventField, type EventRecord } from "./event-record";

/**
 * The event is defined once (db/schema/events.ts); everything else derives from it. The type
 * checks here run under `tsc --noEmit` (npm run typecheck): each fails to compile if a field is
 * renamed in one place and not in the others.
 */

const outcome: CallOutcome = {
  id: "gw_shape",
  startedAtMs: Date.now(),
  latencyMs: 120,
  ttftMs: 40,
  hints: { route: "chat", agent: "bot", sessionId: null, tags: { team: "a" }, cacheTtlSec: null, cacheMode: "default", traceId: null, parentId: null },
  request: { model: "claude-sonnet-4-5", system: "be brief", messages: [{ role: "user", content: "hi" }] },
  requestedModel: "claude-sonnet-4-5",
  servedModel: "claude-sonnet-4-5",
  streamed: true,
  status: "ok",
  httpStatus: 200,
  errorType: null,
  usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 3, cacheWrite5mTokens: 2, cacheWrite1hTokens: 1 },
  responseCache: "miss",
  policyVersion: 2,
  cachePolicyVersion: null,
  attempts: [{ model: "claude-sonnet-4-5", status: 200, ms: 120 }],
  stopReason: "end_turn",
};

describe("one event shape", () => {
  it("the gateway's and the OTLP receiver's events are ingest events: typed as the ingest input and accepted by the schema", () => {
    expectTypeOf(callEvent).returns.toEqualTypeOf<IngestEventInput>();
    expectTypeOf<Extract<SpanMapping, { event: unknown }>["event"]>().toEqualTypeOf<IngestEventInput>();
    const parsed = IngestEvent.safeParse(callEvent(outcome));
    expect(parsed.success, parsed.success ? "" : parsed.error.message).toBe(true);
  });

  it("a renamed field does not compile where producers write events", () => {
    const valid = { id: "e1", timestamp: "2026-01-01T00:00:00Z", model: "m", latencyMs: 1, inputTokens: 1, outputTokens: 1 } satisfies IngestEventInput;
    // @ts-expect-error `latency` is not an event field (it is `latencyMs`): a producer with the old name fails the typecheck
    const renamed: IngestEventInput = { id: "e1", timestamp: "2026-01-01T00:00:00Z", model: "m", latency: 1, inputTokens: 1, outputTokens: 1 };
    // @ts-expect-error an enum value outside the one tuple does not compile
    const badStatus: IngestEventInput = { ...valid, status: "failed" };
    expect(IngestEvent.safeParse(valid).success).toBe(true);
    expect(IngestEvent.safeParse(renamed).success).toBe(false);
    expect(IngestEvent.safeParse(badStatus).success).toBe(false);
  });

  it("the ingest schema's fields are the record's fields under their wire names", () => {
    type WireField = Exclude<EventField, "ts" | "costNanoUsd" | "costSource"> | "timestamp" | "costUsd";
    expectTypeOf<keyof IngestEventInput>().toEqualTypeOf<WireField>();
    expectTypeOf<IngestEvent["status"]>().toEqualTypeOf<EventRecord["status"]>();
    expectTypeOf<IngestEvent["kind"]>().toEqualTypeOf<EventRecord["kind"]>();
    expectTypeOf<IngestEvent["responseCache"]>().toEqualTypeOf<EventRecord["responseCache"]>();
    expect(IngestEvent.safeParse({ id: "e", timestamp: "2026-01-01T00:00:00Z", kind: "tool" }).success).toBe(true);
  });

  it("the insert fills every field normalizeEvent produces, in the table's column order", () => {
    const record = normalizeEvent(IngestEvent.parse(callEvent(outcome)), new PriceBook([]), { now: outcome.startedAtMs, retentionDays: 30 });
    if (typeof record === "string") throw new Error(record);
    expect(EVENT_RECORD_COLUMNS.map((c) => c.key).sort()).toEqual(Object.keys(record).sort());
    const tableOrder = Object.values(events)
      .filter((c): c is (typeof events)["id"] => typeof c === "object" && c !== null && "name" in c)
      .map((c) => c.name)
      .filter((n) => n !== "project_id" && n !== "received_at");
    expect(EVENT_RECORD_COLUMNS.map((c) => c.name)).toEqual(tableOrder);
  });

  it("the packed queue layout has one non-overlapping slot per rollup field", () => {
    expectTypeOf<keyof typeof PACKED>().toEqualTypeOf<keyof RollupEvent>();
    expectTypeOf<keyof RollupCostDelta>().toEqualTypeOf<"tsMs" | "kind" | "model" | "route" | "agent" | "status" | "responseCache" | "deltaNanoUsd">();
    const width: Record<keyof RollupEvent, number> = {
      tsMs: 8, latencyMs: 8, ttftMs: 8, costNanoUsd: 8,
      inputTokens: 4, outputTokens: 4, cacheReadTokens: 4, cacheWrite5mTokens: 4, cacheWrite1hTokens: 4,
      kind: 2, model: 2, route: 2, agent: 2, status: 2, responseCache: 2,
    };
    const slots = (Object.keys(PACKED) as (keyof RollupEvent)[]).map((k) => [PACKED[k], PACKED[k] + width[k]] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < slots.length; i++) expect(slots[i]![0]).toBeGreaterThanOrEqual(slots[i - 1]![1]);
    expect(slots[slots.length - 1]![1]).toBeLessThanOrEqual(EVENT_BYTES);
  });

  it("the events list and detail name their fields as the record does", () => {
    expectTypeOf<Omit<EventListItem, "costUsd" | "costUsdExact">>().toEqualTypeOf<Pick<EventRecord, Exclude<keyof EventListItem, "costUsd" | "costUsdExact">>>();
    expectTypeOf<Exclude<keyof EventDetail, keyof EventRecord>>().toEqualTypeOf<"costUsd" | "costUsdExact" | "receivedAt">();
  });

  it("each enum is one tuple, shared by the ingest schema and the table", () => {
    for (const kind of EVENT_KINDS) expect(IngestEvent.shape.kind.safeParse(kind).success).toBe(true);
    for (const status of EVENT_STATUSES) expect(IngestEvent.shape.status.safeParse(status).success).toBe(true);
    for (const rc of RESPONSE_CACHE_STATUSES) expect(IngestEvent.shape.responseCache.safeParse(rc).success).toBe(true);
    expect(IngestEvent.shape.status.safeParse("failed").success).toBe(false);
  });
});
