"use client";

import { Button } from "@/components/ui/button";
import { ErrorState } from "@/components/ui/states";
import type { AnalysisState } from "./use-analysis";

/** Progress bar with Cancel while running; the cancelled and error states after. */
export function AnalysisProgress<T>({ state, onCancel, onRetry, testId }: { state: AnalysisState<T>; onCancel: () => void; onRetry: () => void; testId: string }) {
  if (state.status === "running") {
    return (
      <div className="flex items-center gap-3 text-sm" data-testid={`${testId}-progress`} role="status">
        <span className="text-[var(--muted)]">{state.stage}…</span>
        <progress className="h-2 w-48" max={1} value={state.fraction} aria-label={`${state.stage} progress`} />
        <span className="tabular-nums">{Math.round(state.fraction * 100)}%</span>
        <Button onClick={onCancel} data-testid={`${testId}-cancel`}>
          Cancel
        </Button>
      </div>
    );
  }
  if (state.status === "cancelled") return <p className="text-sm text-[var(--muted)]" data-testid={`${testId}-cancelled`}>Cancelled: nothing was saved.</p>;
  if (state.status === "error") return <ErrorState error={state.error} onRetry={onRetry} />;
  return null;
}
