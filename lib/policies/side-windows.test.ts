import { describe, expect, it } from "vitest";
import { describeSideWindows, sideWindows } from "./side-windows";

const T = Date.parse("2026-12-02T15:42:00Z");
const at = new Date(T);
const now = new Date(T + 10 * 60_000);
const min = (m: number) => new Date(T + m * 60_000);

describe("sideWindows", () => {
  it("takes the same length on each side, no further than now", () => {
    const w = sideWindows({ at, seconds: 3600, now, changes: [] });
    expect(w).toMatchObject({ beforeSeconds: 600, afterSeconds: 600, cutBefore: null, cutAfter: null });
    expect(w.from.toISOString()).toBe("2026-12-02T15:32:00.000Z");
    expect(w.to.toISOString()).toBe("2026-12-02T15:52:00.000Z");
  });

  it("stops the after side at the next change and starts the before side at the previous one", () => {
    const next = { kind: "routing" as const, version: 1, at: min(1) };
    const prev = { kind: "cache" as const, version: 1, at: min(-4) };
    const far = { kind: "routing" as const, version: 2, at: min(3) };
    const w = sideWindows({ at, seconds: 180, now, changes: [far, next, prev, { kind: "cache", version: 2, at }] });
    expect(w.to.getTime()).toBe(min(1).getTime());
    expect(w.cutAfter).toBe(next);
    expect(w.afterSeconds).toBe(60);
    // The previous change lies outside the 3-minute window: no cut before.
    expect(w.cutBefore).toBeNull();
    expect(w.beforeSeconds).toBe(180);
    const wide = sideWindows({ at, seconds: 600, now, changes: [far, next, prev] });
    expect(wide.cutBefore).toBe(prev);
    expect(wide.beforeSeconds).toBe(240);
  });
});

describe("describeSideWindows", () => {
  it("says equal sides plainly, and when the window was shortened", () => {
    expect(describeSideWindows({ requestedSeconds: 3600, before: { seconds: 3600, cutAt: null }, after: { seconds: 3600, cutAt: null } })).toBe("60 min on each side.");
    expect(describeSideWindows({ requestedSeconds: 3600, before: { seconds: 180, cutAt: null }, after: { seconds: 180, cutAt: null } })).toContain("shortened");
  });

  it("names the neighbouring change that cut a side", () => {
    const text = describeSideWindows({
      requestedSeconds: 900,
      before: { seconds: 180, cutAt: null },
      after: { seconds: 60, cutAt: { kind: "routing", version: 1, at: "2026-12-02T15:43:00.000Z" } },
    });
    expect(text).toContain("3 min before");
    expect(text).toContain("60 s after (stops at routing v1, live 15:43:00 UTC)");
    expect(text).toContain("neighbouring change");
  });
});
