import type { ReferenceRunStatus } from "./reference-runs";

/** What the settings page's reference-workload card draws for a run (pure; safe in the browser). */
export type ReferenceRunView = {
  /** "Running: 120 of 600 calls", "Done: 600 calls (0 failed) in 42 s", ... */
  headline: string;
  /** 0-100 while running, 100 once ended. */
  percent: number;
  running: boolean;
  rows: { route: string; requests: number; failed: number; repeats: number; toolSpans: number }[];
};

export function referenceRunView(run: ReferenceRunStatus | null): ReferenceRunView | null {
  if (!run) return null;
  const percent = run.planned > 0 ? Math.min(100, Math.round((run.done / run.planned) * 100)) : 0;
  const rows = Object.entries(run.result?.byRoute ?? {})
    .map(([route, c]) => ({ route, requests: c.requests, failed: c.failed, repeats: c.repeats, toolSpans: c.toolSpans }))
    .sort((a, b) => b.requests - a.requests || a.route.localeCompare(b.route));
  const variant = run.variant === "clean" ? "Clean workload" : "Reference workload";
  switch (run.state) {
    case "running":
      return { headline: `${variant} running: ${run.done} of ${run.planned} calls`, percent, running: true, rows };
    case "done": {
      const r = run.result!;
      return { headline: `${variant} done: ${r.sent} calls (${r.failed} failed) in ${Math.round(r.wallMs / 1000)} s`, percent: 100, running: false, rows };
    }
    case "cancelled":
      return { headline: `${variant} cancelled after ${run.done} of ${run.planned} calls`, percent, running: false, rows };
    case "failed":
      return { headline: `${variant} failed: ${run.error ?? "unknown error"}`, percent, running: false, rows };
  }
}
