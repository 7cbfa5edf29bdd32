"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useQueryStates } from "nuqs";
import { fetchJson } from "@/components/auth/fetch-json";
import { Sparkline } from "@/components/charts/sparkline";
import { Input, Select } from "@/components/ui/input";
import { EmptyState, ErrorState, LoadingState } from "@/components/ui/states";
import { Table, Td, Th } from "@/components/ui/table";
import { formatLocal, formatTokens, formatUsd } from "@/lib/metrics/format";
import type { SessionPage } from "@/lib/traces/trace-queries";
import { sessionsParsers } from "./search-params";
import { SESSION_HEADER } from "@/lib/events/hint-headers";

export function SessionsClient({ projectSlug }: { projectSlug: string }) {
  const [state, setState] = useQueryStates(sessionsParsers);
  const qs = new URLSearchParams({ project: projectSlug, range: state.range, limit: "100" });
  if (state.agent) qs.set("agent", state.agent);
  const list = useQuery({ queryKey: ["sessions", qs.toString()], queryFn: () => fetchJson<SessionPage>(`/api/v1/sessions?${qs}`) });
  const page = list.data;

  return (
    <div className="space-y-4" data-testid="sessions-page">
      <h1 className="text-xl font-semibold">Sessions</h1>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <label className="flex items-center gap-1">
          <span className="text-[var(--muted)]">Range</span>
          <Select value={state.range} onChange={(e) => void setState({ range: e.target.value as typeof state.range })} data-testid="sessions-range">
            <option value="1h">Last hour</option>
            <option value="24h">Last 24 hours</option>
            <option value="7d">Last 7 days</option>
            <option value="30d">Last 30 days</option>
          </Select>
        </label>
        <label className="flex items-center gap-1">
          <span className="text-[var(--muted)]">Agent</span>
          <Input
            defaultValue={state.agent ?? ""}
            placeholder="any"
            className="w-40"
            onKeyDown={(e) => {
              if (e.key === "Enter") void setState({ agent: e.currentTarget.value.trim() || null });
            }}
            onBlur={(e) => void setState({ agent: e.currentTarget.value.trim() || null })}
            data-testid="sessions-agent"
          />
        </label>
      </div>
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <LoadingState />
      ) : !page || page.sessions.length === 0 ? (
        <EmptyState title="No sessions in this range" hint={`Events carry a session when the SDK, the gateway (${SESSION_HEADER} header) or OTLP (gen_ai.conversation.id) names one.`} />
      ) : (
        <>
          <Table data-testid="sessions-table" className="whitespace-nowrap">
            <thead>
              <tr>
                <Th>Session</Th>
                <Th>Agent</Th>
                <Th>Last active</Th>
                <Th className="text-right">LLM calls</Th>
                <Th className="text-right">Tool calls</Th>
                <Th className="text-right">Tokens</Th>
                <Th className="text-right">Cost</Th>
                <Th>Input tokens by turn</Th>
                <Th className="text-right">Growth / turn</Th>
              </tr>
            </thead>
            <tbody>
              {page.sessions.map((s) => (
                <tr key={s.sessionId} data-testid="session-row">
                  <Td className="max-w-[16rem] truncate font-mono text-xs" title={s.sessionId}>
                    <Link className="underline" href={`/p/${projectSlug}/events?session=${encodeURIComponent(s.sessionId)}&range=${state.range}`}>
                      {s.sessionId}
                    </Link>
                  </Td>
                  <Td>{s.agent ?? "—"}</Td>
                  <Td>{formatLocal(s.lastTs)}</Td>
                  <Td className="text-right tabular-nums">{s.llmCalls}</Td>
                  <Td className="text-right tabular-nums">{s.toolCalls}</Td>
                  <Td className="text-right tabular-nums">{formatTokens(s.tokens)}</Td>
                  <Td className="text-right tabular-nums" title={`$${s.costUsdExact}`}>
                    {formatUsd(s.costUsd)}
                  </Td>
                  <Td>
                    <Sparkline values={s.inputByTurn} label={`Input tokens over ${s.growth.turns} turns, from ${s.growth.first} to ${s.growth.last}`} />
                  </Td>
                  <Td className="text-right tabular-nums" data-testid="session-growth">
                    {s.growth.perTurn === null ? "—" : `${s.growth.perTurn >= 0 ? "+" : ""}${formatTokens(s.growth.perTurn)}`}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
          <p className="text-xs text-[var(--muted)]">
            {page.total > page.sessions.length
              ? `Showing the ${page.sessions.length} most recent of ${page.total.toLocaleString("en-US")} sessions.`
              : `${page.total.toLocaleString("en-US")} session${page.total === 1 ? "" : "s"}.`}{" "}
            Growth is the least-squares slope of input tokens (cached or not) per LLM call: a conversation that re-sends its history grows by its turn size every turn.
          </p>
        </>
      )}
    </div>
  );
}
