import { describe, expect, it } from "vitest";
import { inputGrowth } from "./session-growth";

describe("input-token growth by turn", () => {
  it("a conversation that re-sends its history grows linearly: the slope is the per-turn growth", () => {
    expect(inputGrowth([1000, 1500, 2000, 2500])).toEqual({ turns: 4, first: 1000, last: 2500, perTurn: 500 });
  });

  it("a flat session grows by 0 per turn", () => {
    expect(inputGrowth([800, 800, 800]).perTurn).toBe(0);
  });

  it("one turn or none has no growth to speak of (a gap, not a zero)", () => {
    expect(inputGrowth([]).perTurn).toBeNull();
    expect(inputGrowth([1200])).toEqual({ turns: 1, first: 1200, last: 1200, perTurn: null });
  });
});
