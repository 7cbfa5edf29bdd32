import { describe, expect, it } from "vitest";
import { rangeProblem } from "./range-problem";
import { RANGE_PRESETS } from "./time-range";

const raw = (p: Partial<{ range: string; from: string; to: string }>) => ({ range: p.range ?? null, from: p.from ?? null, to: p.to ?? null });

describe("rangeProblem", () => {
  it("says when from is not before to", () => {
    expect(rangeProblem(raw({ from: "2026-12-02T10:00:00Z", to: "2026-12-01T10:00:00Z" }))).toBe("from must be before to — showing the last 24 hours");
    expect(rangeProblem(raw({ range: "custom", from: "2026-12-01T10:00:00Z", to: "2026-12-01T10:00:00Z" }))).toContain("from must be before to");
  });

  it("names an unknown range value, a date that is not one, and a custom range without an end", () => {
    expect(rangeProblem(raw({ range: "99d" }))).toBe('range "99d" is not one of 1h, 24h, 7d, 30d or custom — showing the last 24 hours');
    expect(rangeProblem(raw({ range: "custom", from: "yesterday", to: "2026-12-01T10:00:00Z" }))).toContain('from "yesterday" is not a date');
    expect(rangeProblem(raw({ range: "custom", from: "2026-12-01T10:00:00Z" }))).toContain("needs both from and to");
  });

  it("finds nothing wrong with a preset, no range at all, or a good custom range", () => {
    for (const r of Object.keys(RANGE_PRESETS)) expect(rangeProblem(raw({ range: r }))).toBeNull();
    expect(rangeProblem(raw({}))).toBeNull();
    expect(rangeProblem(raw({ range: "custom", from: "2026-12-01T10:00:00Z", to: "2026-12-02T10:00:00Z" }))).toBeNull();
  });
});
