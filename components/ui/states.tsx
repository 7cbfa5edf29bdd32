import { cn } from "./cn";

/** Loading, empty and error states share one look across pages. */
export function LoadingState({ label = "Loading…", className }: { label?: string; className?: string }) {
  return (
    <div role="status" aria-live="polite" className={cn("flex items-center gap-2 p-6 text-sm text-[var(--muted)]", className)}>
      <span className="h-3 w-3 animate-spin rounded-full border-2 border-[var(--muted)] border-t-transparent" />
      {label}
    </div>
  );
}

export function EmptyState({ title, hint, className }: { title: string; hint?: React.ReactNode; className?: string }) {
  return (
    <div className={cn("rounded-lg border border-dashed border-[var(--border)] p-8 text-center", className)} data-testid="empty-state">
      <p className="font-medium">{title}</p>
      {hint ? <div className="mt-1 text-sm text-[var(--muted)]">{hint}</div> : null}
    </div>
  );
}

export function ErrorState({ error, onRetry, className, title = "Could not load this view" }: { error: unknown; onRetry?: () => void; className?: string; title?: string }) {
  const message = error instanceof Error ? error.message : "Something went wrong.";
  return (
    <div role="alert" className={cn("rounded-lg border border-red-500/40 bg-red-500/10 p-4 text-sm", className)} data-testid="error-state">
      <p className="font-medium text-red-700 dark:text-red-300">{title}</p>
      <p className="mt-1">{message}</p>
      {onRetry ? (
        <button className="mt-2 underline" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}
