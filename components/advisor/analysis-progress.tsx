"use client";

import { useEffect, useRef } from "react";
import { Button } from "@/components/ui/button";
import { ErrorState } from "@/components/ui/states";
import { progressLabel } from "@/lib/advisor/advisor-view";
import type { AnalysisState } from "./use-analysis";

/** Progress bar with Cancel while running; the cancelled (with Retry) and error states after. */
export function AnalysisProgress<T>({ state, onCancel, onRetry, testId }: { state: AnalysisState<T>; onCancel: () => void; onRetry: () => void; testId: string }) {
  if (state.status === "running") {
    const label = progressLabel(state.stage);
    return (
      <div className="flex flex-wrap items-center gap-3 text-sm" data-testid={`${testId}-progress`} role="status" aria-live="polite">
        <span className="text-[var(--muted)]" data-testid={`${testId}-stage`}>
          {label}…
        </span>
        <progress className="h-2 w-48" max={1} value={state.fraction} aria-label={`${label}: progress`} />
        <span className="tabular-nums">{Math.round(state.fraction * 100)}%</span>
        <Button onClick={onCancel} data-testid={`${testId}-cancel`}>
          Cancel
        </Button>
      </div>
    );
  }
  if (state.status === "cancelled") return <Cancelled onRetry={onRetry} testId={testId} />;
  if (state.status === "error") return <ErrorState error={state.error} onRetry={onRetry} />;
  return null;
}

/** Only a Cancel click gets here: its button is gone, so the keyboard focus moves to Retry. */
function Cancelled({ onRetry, testId }: { onRetry: () => void; testId: string }) {
  const retry = useRef<HTMLButtonElement>(null);
  useEffect(() => retry.current?.focus(), []);
  return (
    <div className="flex items-center gap-3 text-sm" role="status" data-testid={`${testId}-cancelled`}>
      <span className="text-[var(--muted)]">Cancelled: nothing was saved.</span>
      <Button ref={retry} onClick={onRetry} data-testid={`${testId}-retry`}>
        Retry
      </Button>
    </div>
  );
}
