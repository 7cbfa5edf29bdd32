import { describe, expect, it } from "vitest";
import { seriesColorSlots } from "./series-colors";

const models = ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1", "claude-3-5-haiku", "other"];

describe("seriesColorSlots", () => {
  it("gives a model the same slot whatever its rank or the order the keys come in", () => {
    const a = seriesColorSlots(models, 8);
    const b = seriesColorSlots([...models].reverse(), 8);
    for (const m of models) expect(b.get(m)).toBe(a.get(m));
  });

  it("gives each key a different slot while there are no more keys than slots", () => {
    const many = Array.from({ length: 8 }, (_, i) => `model-${i}`);
    const slots = seriesColorSlots(many, 8);
    expect(new Set(slots.values()).size).toBe(8);
    for (const s of slots.values()) expect(s).toBeGreaterThanOrEqual(0);
    for (const s of slots.values()) expect(s).toBeLessThan(8);
  });

  it("keeps a model's slot when another model drops out of the range (no collision between them)", () => {
    const all = seriesColorSlots(models, 8);
    const fewer = seriesColorSlots(models.filter((m) => m !== "claude-opus-4-1"), 8);
    // A name keeps its slot unless it collided with the one that left: in this set none did.
    for (const m of models.filter((x) => x !== "claude-opus-4-1")) expect(fewer.get(m)).toBe(all.get(m));
  });
});
