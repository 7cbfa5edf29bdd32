// Pure and browser-safe: how a list shows one event's kind and cost, and how a total owns up to
// the calls it could not price. An unpriced call costs something we do not know: never "$0.00".
import type { CostSource, EventKind } from "../events/event-enums";
import { formatUsd } from "./format";

// The filter menu's words (LLM calls, Tool calls, Token counts), one of each.
const KIND_LABEL: Record<EventKind, string> = { llm: "LLM call", tool: "tool call", count_tokens: "token count" };

export function eventKindLabel(kind: EventKind): string {
  return KIND_LABEL[kind];
}

/**
 * An LLM call's cost, "unpriced" when no price was known for its model; "—" for a tool or a token
 * count, which Anthropic does not bill (unless a sender gave it a cost).
 */
export function formatEventCost(e: { kind: EventKind; costSource: CostSource; costUsd: number }): string {
  if (e.costSource === "unpriced") return e.kind === "llm" ? "unpriced" : "—";
  if (e.kind !== "llm" && e.costUsd === 0) return "—";
  return formatUsd(e.costUsd);
}

/** LLM calls among `events` whose cost a total leaves out. */
export function countUnpriced(events: readonly { kind: EventKind; costSource: CostSource }[]): number {
  return events.filter((e) => e.kind === "llm" && e.costSource === "unpriced").length;
}

/** The note under a summed cost that left unpriced calls out, or null when it left none out. */
export function unpricedNote(unpricedCalls: number): string | null {
  if (unpricedCalls <= 0) return null;
  return `leaves out ${unpricedCalls} unpriced call${unpricedCalls === 1 ? "" : "s"}`;
}
