"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { fetchJson } from "@/components/auth/fetch-json";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingState } from "@/components/ui/states";
import { formatMs, formatTokens, formatUsd } from "@/lib/metrics/format";
import type { TraceDetail, TraceEvent } from "@/lib/traces/trace-queries";
import type { WaterfallRow } from "@/lib/traces/waterfall";
import { formatEventCost, unpricedNote } from "@/lib/metrics/event-cost";

const TICKS = [0, 0.25, 0.5, 0.75, 1];

export function TraceClient({ projectSlug, traceId }: { projectSlug: string; traceId: string }) {
  const trace = useQuery({
    queryKey: ["trace", projectSlug, traceId],
    queryFn: () => fetchJson<TraceDetail>(`/api/v1/traces/detail?project=${encodeURIComponent(projectSlug)}&traceId=${encodeURIComponent(traceId)}`),
  });
  const t = trace.data;
  const byId = new Map<string, TraceEvent>((t?.events ?? []).map((e) => [e.id, e]));
  const hinted = new Set((t?.waterfall.hints ?? []).flatMap((h) => h.toolIds));

  return (
    <div className="space-y-4" data-testid="trace-page">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">
          Trace <span className="font-mono text-base text-[var(--muted)]">{traceId}</span>
        </h1>
        <Link href={`/p/${projectSlug}/events`} className="text-sm underline">
          Back to events
        </Link>
      </div>
      {trace.isError ? (
        <ErrorState error={trace.error} onRetry={() => void trace.refetch()} />
      ) : trace.isPending ? (
        <LoadingState />
      ) : !t || t.events.length === 0 ? (
        <EmptyState title="This trace has no calls" />
      ) : (
        <>
          <div className="grid grid-cols-2 gap-3 md:grid-cols-5">
            <Stat label="Duration" value={formatMs(t.waterfall.durationMs)} testId="trace-duration" />
            <Stat label="LLM calls" value={String(t.totals.llmCalls)} testId="trace-llm-calls" />
            <Stat label="Tool calls" value={String(t.totals.toolCalls)} testId="trace-tool-calls" />
            <Stat label="Tokens" value={formatTokens(t.totals.tokens)} testId="trace-tokens" />
            <Stat label="Cost" value={formatUsd(t.totals.costUsd)} title={`$${t.totals.costUsdExact}`} testId="trace-cost" note={unpricedNote(t.totals.unpricedCalls)} />
          </div>
          {t.waterfall.hints.map((h) => (
            <div key={h.toolIds.join(",")} role="note" className="rounded-lg border border-amber-500/40 bg-amber-500/10 p-3 text-sm" data-testid="parallel-hint">
              <span className="font-medium">{h.message}</span>
              <span className="text-[var(--muted)]">
                {" "}
                ({h.toolIds.length} tools: {h.toolIds.map((id) => byId.get(id)?.name ?? id).join(", ")}
                {h.parentId ? ` under ${byId.get(h.parentId)?.name ?? h.parentId}` : ""}). Run them with Promise.all if they do not depend on each other.
              </span>
            </div>
          ))}
          {t.total > t.events.length ? (
            <p className="text-xs text-[var(--muted)]">
              Showing the first {t.events.length.toLocaleString("en-US")} of {t.total.toLocaleString("en-US")} calls.
            </p>
          ) : null}
          <Card className="overflow-x-auto p-0">
            <div className="min-w-[44rem]" role="table" aria-label="Waterfall" data-testid="waterfall">
              <div role="row" className="grid grid-cols-[18rem_1fr_5rem] border-b border-[var(--border)] px-3 py-2 text-xs text-[var(--muted)]">
                <span role="columnheader">Call</span>
                <span role="columnheader" className="relative h-4">
                  {TICKS.map((f) => (
                    <span key={f} className="absolute -translate-x-1/2 whitespace-nowrap tabular-nums first:translate-x-0 last:-translate-x-full" style={{ left: `${f * 100}%` }}>
                      {formatMs(t.waterfall.durationMs * f)}
                    </span>
                  ))}
                </span>
                <span role="columnheader" className="text-right">
                  Duration
                </span>
              </div>
              {t.waterfall.rows.map((r) => (
                <Row key={r.id} row={r} total={t.waterfall.durationMs} event={byId.get(r.id)} hinted={hinted.has(r.id)} projectSlug={projectSlug} />
              ))}
            </div>
          </Card>
          <p className="flex flex-wrap gap-4 text-xs text-[var(--muted)]">
            <Legend className="bg-sky-500" label="LLM call" />
            <Legend className="bg-violet-500" label="Tool call" />
            <Legend className="bg-slate-400" label="Off the critical path (faded)" />
            <span>The critical path is the chain of calls that set the trace&apos;s end: speeding up anything else does not shorten it.</span>
          </p>
        </>
      )}
    </div>
  );
}

function Row({ row, total, event, hinted, projectSlug }: { row: WaterfallRow; total: number; event?: TraceEvent; hinted: boolean; projectSlug: string }) {
  const left = total > 0 ? (row.offsetMs / total) * 100 : 0;
  const width = total > 0 ? Math.max(0.4, (row.durationMs / total) * 100) : 100;
  const tokens = event && event.kind === "llm" ? ` · ${formatTokens(event.inputTokens)} in / ${formatTokens(event.outputTokens)} out · ${formatEventCost(event)}` : "";
  const label = `${row.kind === "tool" ? "Tool" : row.kind === "count_tokens" ? "Token count" : "LLM"} ${row.name}: starts at ${formatMs(row.offsetMs)}, takes ${formatMs(row.durationMs)}${row.critical ? ", on the critical path" : ""}${tokens}`;
  return (
    <Link
      role="row"
      href={`/p/${projectSlug}/events?event=${encodeURIComponent(row.id)}`}
      className="grid grid-cols-[18rem_1fr_5rem] items-center px-3 py-1 text-sm hover:bg-[var(--border)]/40 focus:bg-[var(--border)]/60 focus:outline-none"
      title={label}
      aria-label={label}
      data-testid="waterfall-row"
      data-kind={row.kind}
      data-critical={row.critical ? "true" : "false"}
    >
      <span role="cell" className="flex min-w-0 items-center gap-1.5" style={{ paddingLeft: `${row.depth * 1}rem` }}>
        <Badge tone={row.kind === "tool" ? "info" : "neutral"}>{row.kind === "count_tokens" ? "count" : row.kind}</Badge>
        <span className="truncate">{row.name}</span>
        {row.status !== "ok" ? <Badge tone="bad">{row.status}</Badge> : null}
        {hinted ? (
          <Badge tone="warn" title="Part of a sequential run of tools">
            seq
          </Badge>
        ) : null}
      </span>
      <span role="cell" className="relative h-5">
        <span
          className={`absolute top-0.5 h-4 rounded ${row.kind === "tool" ? "bg-violet-500" : "bg-sky-500"} ${row.critical ? "ring-2 ring-[var(--accent)]" : "opacity-40"}`}
          style={{ left: `${left}%`, width: `${width}%` }}
          data-testid="waterfall-bar"
        />
      </span>
      <span role="cell" className="text-right tabular-nums text-[var(--muted)]">
        {formatMs(row.durationMs)}
      </span>
    </Link>
  );
}

function Stat({ label, value, testId, title, note }: { label: string; value: string; testId: string; title?: string; note?: string | null }) {
  return (
    <div className="rounded-lg border border-[var(--border)] bg-[var(--card)] p-3" title={title}>
      <div className="text-xs font-medium uppercase tracking-wide text-[var(--muted)]">{label}</div>
      <div className="mt-1 text-xl font-semibold tabular-nums" data-testid={testId}>
        {value}
      </div>
      {note ? (
        <div className="mt-0.5 text-xs text-amber-700 dark:text-amber-300" data-testid={`${testId}-note`}>
          {note}
        </div>
      ) : null}
    </div>
  );
}

function Legend({ className, label }: { className: string; label: string }) {
  return (
    <span className="flex items-center gap-1">
      <span className={`inline-block h-3 w-3 rounded ${className}`} />
      {label}
    </span>
  );
}
