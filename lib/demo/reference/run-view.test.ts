import { describe, expect, it } from "vitest";
import type { ReferenceRunStatus } from "./reference-runs";
import { referenceRunView } from "./run-view";

const counts = (requests: number, failed = 0) => ({ requests, ok: requests - failed, failed, repeats: 0, streamed: 0, sessions: requests, traces: 0, toolSpans: 0 });
const base: ReferenceRunStatus = { id: "ref_1", variant: "reference", state: "running", startedAt: "2026-12-02T01:00:00.000Z", done: 150, planned: 600, result: null, error: null };

describe("the reference run's card", () => {
  it("shows progress while running and nothing when no run was started", () => {
    expect(referenceRunView(null)).toBeNull();
    expect(referenceRunView(base)).toEqual({ headline: "Reference workload running: 150 of 600 calls", percent: 25, running: true, rows: [] });
  });

  it("lists what was sent per route, largest first, once done", () => {
    const result = { variant: "reference" as const, seed: 1, latencyScale: 1, options: {}, planned: 600, sent: 600, ok: 599, failed: 1, skipped: 0, byRoute: { research: counts(120), "ticket-triage": counts(300, 1), "nightly-report": counts(60) }, startedAt: "", endedAt: "", wallMs: 41_600, toolDelivery: { queued: 0, sent: 0, duplicates: 0, rejected: 0, dropped: 0, failed: 0, retries: 0, building: 0 } };
    const view = referenceRunView({ ...base, state: "done", done: 600, result })!;
    expect(view.headline).toBe("Reference workload done: 600 calls (1 failed) in 42 s");
    expect(view.percent).toBe(100);
    expect(view.rows.map((r) => r.route)).toEqual(["ticket-triage", "research", "nightly-report"]);
    expect(view.rows[0]).toEqual({ route: "ticket-triage", requests: 300, failed: 1, repeats: 0, toolSpans: 0 });
  });

  it("says when a run was cancelled or failed", () => {
    expect(referenceRunView({ ...base, variant: "clean", state: "cancelled", done: 10 })!.headline).toBe("Clean workload cancelled after 10 of 600 calls");
    expect(referenceRunView({ ...base, state: "failed", error: "boom" })).toMatchObject({ headline: "Reference workload failed: boom", running: false });
  });
});
