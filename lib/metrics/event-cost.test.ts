import { describe, expect, it } from "vitest";
import { countUnpriced, eventKindLabel, formatEventCost, unpricedNote } from "./event-cost";

describe("event cost and kind for lists", () => {
  it('shows an unpriced LLM call as "unpriced", never $0.00', () => {
    expect(formatEventCost({ kind: "llm", costSource: "unpriced", costUsd: 0 })).toBe("unpriced");
    expect(formatEventCost({ kind: "llm", costSource: "computed", costUsd: 0.0123 })).toBe("$0.01");
    expect(formatEventCost({ kind: "llm", costSource: "computed", costUsd: 0 })).toBe("$0.00"); // a cache hit really is free
  });

  it('shows "—" for tools and token counts that carry no cost, and a cost a sender gave them', () => {
    expect(formatEventCost({ kind: "tool", costSource: "unpriced", costUsd: 0 })).toBe("—");
    expect(formatEventCost({ kind: "count_tokens", costSource: "computed", costUsd: 0 })).toBe("—");
    expect(formatEventCost({ kind: "tool", costSource: "client", costUsd: 1.5 })).toBe("$1.50");
  });

  it("labels each kind so a token count does not read as an LLM call", () => {
    expect([eventKindLabel("llm"), eventKindLabel("tool"), eventKindLabel("count_tokens")]).toEqual(["LLM call", "tool call", "token count"]);
  });

  it("counts the unpriced LLM calls a total leaves out and says so", () => {
    const events = [
      { kind: "llm" as const, costSource: "unpriced" as const },
      { kind: "llm" as const, costSource: "computed" as const },
      { kind: "tool" as const, costSource: "unpriced" as const },
      { kind: "llm" as const, costSource: "unpriced" as const },
    ];
    expect(countUnpriced(events)).toBe(2);
    expect(unpricedNote(2)).toBe("leaves out 2 unpriced calls");
    expect(unpricedNote(1)).toBe("leaves out 1 unpriced call");
    expect(unpricedNote(0)).toBeNull();
  });
});
