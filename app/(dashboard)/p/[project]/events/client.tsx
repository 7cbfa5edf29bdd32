"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useQueryStates } from "nuqs";
import { useEffect, useRef } from "react";
import { fetchJson } from "@/components/auth/fetch-json";
import { metricsQuery } from "@/components/metrics/api-query";
import { MetricsToolbar } from "@/components/metrics/metrics-toolbar";
import { REFRESH_MS, useDimensions } from "@/components/metrics/use-metrics";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/input";
import { EmptyState, ErrorState, LoadingState } from "@/components/ui/states";
import { Table, Td, Th } from "@/components/ui/table";
import { RESPONSE_CACHE_STATUSES, type EventKind, type ResponseCacheStatus } from "@/lib/events/event-enums";
import type { EventDetail, EventPage } from "@/lib/metrics/event-list";
import { formatLocal, formatMs, formatTokens } from "@/lib/metrics/format";
import { eventsParsers } from "./search-params";
import { eventKindLabel, formatEventCost } from "@/lib/metrics/event-cost";

const PAGE_SIZE = 50;

function StatusBadge({ status }: { status: string }) {
  return <Badge tone={status === "ok" ? "good" : status === "error" ? "bad" : "warn"}>{status}</Badge>;
}

export function EventsClient({ projectSlug }: { projectSlug: string }) {
  const [state, setState] = useQueryStates(eventsParsers);
  const dimensions = useDimensions(projectSlug, state);
  const qs = metricsQuery(projectSlug, state, {
    kind: state.kind ?? undefined,
    responseCache: state.cache ?? undefined,
    sessionId: state.session ?? undefined,
    traceId: state.trace ?? undefined,
  });

  const list = useInfiniteQuery({
    queryKey: ["events", "list", qs],
    queryFn: ({ pageParam }) => fetchJson<EventPage>(`/api/v1/events/list?${qs}&limit=${PAGE_SIZE}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`),
    initialPageParam: "",
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: state.refresh ? REFRESH_MS : false,
  });
  const events = list.data?.pages.flatMap((p) => p.events) ?? [];

  return (
    <div className="space-y-4" data-testid="events-page">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">Events</h1>
        <a
          href={`/api/v1/events/export?${qs}`}
          download
          className="rounded-md border border-[var(--border)] bg-[var(--card)] px-3 py-1.5 text-sm font-medium hover:bg-[var(--border)]"
          data-testid="export-csv"
        >
          Export CSV
        </a>
      </div>
      <MetricsToolbar state={state} dimensions={dimensions.data} onChange={(next) => void setState(next)} fetching={list.isFetching} />
      <div className="flex flex-wrap gap-3 text-sm">
        <label className="flex items-center gap-1">
          <span className="text-[var(--muted)]">Kind</span>
          <Select value={state.kind ?? "__all"} onChange={(e) => void setState({ kind: e.target.value === "__all" ? null : (e.target.value as EventKind) })} data-testid="filter-kind">
            <option value="__all">All</option>
            <option value="llm">LLM calls</option>
            <option value="tool">Tool calls</option>
            <option value="count_tokens">Token counts</option>
          </Select>
        </label>
        <label className="flex items-center gap-1">
          <span className="text-[var(--muted)]">Response cache</span>
          <Select value={state.cache ?? "__all"} onChange={(e) => void setState({ cache: e.target.value === "__all" ? null : (e.target.value as ResponseCacheStatus) })} data-testid="filter-cache">
            <option value="__all">All</option>
            {RESPONSE_CACHE_STATUSES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </Select>
        </label>
        {state.session || state.trace ? (
          <span className="flex items-center gap-2" data-testid="scope-filter">
            <span className="text-[var(--muted)]">{state.session ? "Session" : "Trace"}</span>
            <span className="font-mono text-xs">{state.session ?? state.trace}</span>
            <Button variant="ghost" onClick={() => void setState({ session: null, trace: null })} aria-label="Clear session and trace filter">
              ✕
            </Button>
          </span>
        ) : null}
      </div>

      <div>
        <div className="min-w-0 space-y-3">
          {list.isError ? (
            <ErrorState error={list.error} onRetry={() => void list.refetch()} />
          ) : list.isPending ? (
            <LoadingState />
          ) : events.length === 0 ? (
            <EmptyState title="No events match" hint="Widen the range or clear filters." />
          ) : (
            <Table data-testid="events-table" className="whitespace-nowrap">
              <thead>
                <tr>
                  <Th>Time</Th>
                  <Th>Kind</Th>
                  <Th>Model</Th>
                  <Th>Route</Th>
                  <Th>Agent</Th>
                  <Th>Status</Th>
                  <Th className="text-right">Latency</Th>
                  <Th className="text-right">TTFT</Th>
                  <Th className="text-right">Tokens in / out</Th>
                  <Th>Cache</Th>
                  <Th className="text-right">Cost</Th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr
                    key={e.id}
                    data-testid="event-row"
                    data-event-id={e.id}
                    tabIndex={0}
                    aria-selected={state.event === e.id}
                    onClick={() => void setState({ event: e.id })}
                    onKeyDown={(k) => {
                      if (k.key === "Enter") void setState({ event: e.id });
                    }}
                    className={`cursor-pointer hover:bg-[var(--border)]/40 ${state.event === e.id ? "bg-[var(--border)]/60" : ""}`}
                  >
                    <Td className="whitespace-nowrap">{formatLocal(e.ts, { seconds: true })}</Td>
                    <Td data-testid="event-kind">{eventKindLabel(e.kind)}</Td>
                    <Td>{e.model ?? "—"}</Td>
                    <Td>{e.route ?? "—"}</Td>
                    <Td>{e.agent ?? "—"}</Td>
                    <Td>
                      <StatusBadge status={e.status} />
                    </Td>
                    <Td className="text-right">{formatMs(e.latencyMs)}</Td>
                    <Td className="text-right">{formatMs(e.ttftMs)}</Td>
                    <Td className="text-right">
                      {formatTokens(e.inputTokens + e.cacheReadTokens + e.cacheWrite5mTokens + e.cacheWrite1hTokens)} / {formatTokens(e.outputTokens)}
                    </Td>
                    <Td>{e.responseCache === "none" ? "" : e.responseCache}</Td>
                    <Td className="text-right" title={`$${e.costUsdExact} (${e.costSource})`} data-testid="event-cost">
                      {formatEventCost(e)}
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          {list.hasNextPage ? (
            <Button onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage} data-testid="load-more">
              {list.isFetchingNextPage ? "Loading…" : "Load more"}
            </Button>
          ) : events.length > 0 ? (
            <p className="text-xs text-[var(--muted)]">{events.length.toLocaleString("en-US")} events: that is all of them for these filters.</p>
          ) : null}
        </div>
        {state.event ? <EventPanel projectSlug={projectSlug} id={state.event} onClose={() => void setState({ event: null })} /> : null}
      </div>
    </div>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-[var(--muted)]">{label}</dt>
      <dd className="break-all tabular-nums">{children}</dd>
    </>
  );
}

function EventPanel({ projectSlug, id, onClose }: { projectSlug: string; id: string; onClose: () => void }) {
  const detail = useQuery({
    queryKey: ["events", "detail", projectSlug, id],
    queryFn: () => fetchJson<EventDetail>(`/api/v1/events/detail?project=${encodeURIComponent(projectSlug)}&id=${encodeURIComponent(id)}`),
  });
  const e = detail.data;
  const drawer = useRef<HTMLElement>(null);
  useEffect(() => {
    const onKey = (k: KeyboardEvent) => {
      if (k.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  // Focus goes into the drawer when it opens (a keyboard user lands on what they opened) and
  // back to the event's row when it closes, so Tab carries on from where they were.
  useEffect(() => {
    drawer.current?.focus();
    return () => {
      const row = document.querySelector<HTMLElement>(`[data-testid="event-row"][data-event-id="${CSS.escape(id)}"]`);
      row?.focus();
    };
  }, [id]);
  return (
    // A drawer over the page, so the table keeps its width while an event is open.
    <aside
      ref={drawer}
      tabIndex={-1}
      role="dialog"
      className="fixed inset-y-0 right-0 z-30 focus:outline-none w-[28rem] max-w-full space-y-3 overflow-y-auto border-l border-[var(--border)] bg-[var(--card)] p-4 text-sm shadow-2xl"
      aria-label="Event detail"
      data-testid="event-detail"
    >
      <div className="flex items-center justify-between gap-2">
        <h2 className="truncate font-medium" title={id}>
          {id}
        </h2>
        <Button variant="ghost" onClick={onClose} aria-label="Close detail">
          ✕
        </Button>
      </div>
      {detail.isError ? <ErrorState error={detail.error} onRetry={() => void detail.refetch()} /> : null}
      {detail.isPending ? <LoadingState /> : null}
      {e ? (
        <>
          <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-1">
            <Field label="Time">{e.ts}</Field>
            <Field label="Received">{e.receivedAt}</Field>
            <Field label="Kind">{e.kind}</Field>
            <Field label="Provider">{e.provider}</Field>
            <Field label="Model">{e.model ?? "—"}</Field>
            <Field label="Requested model">{e.requestedModel ?? "—"}</Field>
            <Field label="Route">{e.route ?? "—"}</Field>
            <Field label="Agent">{e.agent ?? "—"}</Field>
            <Field label="Session">{e.sessionId ?? "—"}</Field>
            <Field label="Trace / parent">{`${e.traceId ?? "—"} / ${e.parentId ?? "—"}`}</Field>
            {e.traceId ? (
              <Field label="Trace view">
                <Link href={`/p/${projectSlug}/traces/${encodeURIComponent(e.traceId)}`} className="underline" data-testid="open-trace">
                  Open the trace waterfall
                </Link>
              </Field>
            ) : null}
            <Field label="User">{e.userId ?? "—"}</Field>
            <Field label="Status">
              <StatusBadge status={e.status} /> {e.httpStatus ?? ""} {e.errorType ?? ""}
            </Field>
            <Field label="Latency">{formatMs(e.latencyMs)}</Field>
            <Field label="TTFT">{formatMs(e.ttftMs)}</Field>
            <Field label="Streamed">{e.streamed ? "yes" : "no"}</Field>
            <Field label="Input tokens">{e.inputTokens.toLocaleString("en-US")}</Field>
            <Field label="Cache read">{e.cacheReadTokens.toLocaleString("en-US")}</Field>
            <Field label="Cache write 5m / 1h">{`${e.cacheWrite5mTokens.toLocaleString("en-US")} / ${e.cacheWrite1hTokens.toLocaleString("en-US")}`}</Field>
            <Field label="Output tokens">{e.outputTokens.toLocaleString("en-US")}</Field>
            <Field label="Response cache">{e.responseCache}</Field>
            <Field label="Cost">{`$${e.costUsdExact} (${e.costSource})`}</Field>
            <Field label="Prompt hash">{e.promptHash ?? "—"}</Field>
            <Field label="Messages / tools">{`${e.messageCount ?? "—"} / ${e.toolCount ?? "—"}`}</Field>
            <Field label="Policy version">{e.policyVersion ?? "—"}</Field>
          </dl>
          <div>
            <h3 className="mb-1 text-xs font-medium uppercase text-[var(--muted)]">Tags</h3>
            <pre className="max-h-40 overflow-auto rounded bg-[var(--background)] p-2 text-xs">{JSON.stringify(e.tags, null, 2)}</pre>
            {e.route === "playground" && e.tags.experiment ? (
              <Link className="text-sm underline" href={`/p/${projectSlug}/playground?experiment=${encodeURIComponent(e.tags.experiment)}`} data-testid="event-experiment-link">
                Open experiment {e.tags.experiment} (pane {e.tags.pane ?? "?"})
              </Link>
            ) : null}
          </div>
          <div>
            <h3 className="mb-1 text-xs font-medium uppercase text-[var(--muted)]">Metadata</h3>
            <pre className="max-h-60 overflow-auto rounded bg-[var(--background)] p-2 text-xs">{JSON.stringify(e.metadata, null, 2)}</pre>
          </div>
        </>
      ) : null}
    </aside>
  );
}
