import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createStallGuard } from "./stall-guard";

describe("createStallGuard", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("aborts when no event arrives within the stall time, and each event starts the clock again", () => {
    const g = createStallGuard({ parent: new AbortController().signal, stallMs: 1000, capMs: 60_000 });
    vi.advanceTimersByTime(900);
    g.touch();
    vi.advanceTimersByTime(900);
    expect(g.signal.aborted).toBe(false);
    vi.advanceTimersByTime(200);
    expect(g.signal.aborted).toBe(true);
    expect(g.reason()).toBe("stall");
  });

  it("aborts at the overall cap even while events keep arriving", () => {
    const g = createStallGuard({ parent: new AbortController().signal, stallMs: 1000, capMs: 5000 });
    for (let i = 0; i < 9; i++) {
      vi.advanceTimersByTime(500);
      g.touch();
    }
    expect(g.signal.aborted).toBe(false);
    vi.advanceTimersByTime(600);
    expect(g.signal.aborted).toBe(true);
    expect(g.reason()).toBe("cap");
  });

  it("follows the parent's abort, and never fires once disposed", () => {
    const parent = new AbortController();
    const g = createStallGuard({ parent: parent.signal, stallMs: 1000, capMs: 5000 });
    parent.abort();
    expect(g.signal.aborted).toBe(true);
    expect(g.reason()).toBeNull();
    const h = createStallGuard({ parent: new AbortController().signal, stallMs: 1000, capMs: 5000 });
    h.dispose();
    vi.advanceTimersByTime(10_000);
    expect(h.signal.aborted).toBe(false);
  });
});
