"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fetchJson } from "@/components/auth/fetch-json";
import { FormError } from "@/components/auth/form-field";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/input";
import { ErrorState, LoadingState } from "@/components/ui/states";
import type { ReferenceRunStatus } from "@/lib/demo/reference/reference-runs";
import { referenceRunView } from "@/lib/demo/reference/run-view";

type Answer = { run: ReferenceRunStatus | null; upstreamIsSimulator?: boolean };

/**
 * Settings > Demo traffic: starts the advisor's reference (or clean) workload through this
 * server's gateway, shows its progress and what it sent per route. Admins start and cancel it.
 */
export function ReferenceWorkloadCard({ projectSlug, canStart }: { projectSlug: string; canStart: boolean }) {
  const url = `/api/v1/demo/reference?project=${encodeURIComponent(projectSlug)}`;
  const queryClient = useQueryClient();
  const [variant, setVariant] = useState<"reference" | "clean">("reference");
  const [requests, setRequests] = useState(600);
  const status = useQuery({
    queryKey: ["reference-run", projectSlug],
    queryFn: () => fetchJson<Answer>(url),
    refetchInterval: (q) => (q.state.data?.run?.state === "running" ? 1_000 : false),
  });
  const start = useMutation({
    mutationFn: () => fetchJson<Answer>(url, { method: "POST", json: { variant, requests } }),
    onSuccess: (data) => queryClient.setQueryData(["reference-run", projectSlug], (old: Answer | undefined) => ({ ...old, run: data.run })),
  });
  const cancel = useMutation({
    mutationFn: () => fetchJson<Answer>(url, { method: "DELETE" }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["reference-run", projectSlug] }),
  });
  const view = referenceRunView(status.data?.run ?? null);
  const simulator = status.data?.upstreamIsSimulator !== false;

  return (
    <Card className="space-y-3" data-testid="reference-workload">
      <CardTitle>Demo traffic: advisor reference workload</CardTitle>
      <p className="text-sm text-[var(--muted)]">
        A seeded agent fleet with the reference case&apos;s bottlenecks (30% repeated prompts, an uncached 20K-token system prompt, nothing
        streamed, five sequential 200 ms tools, contexts growing to 100K tokens, Sonnet/Opus for short tasks, a nightly report tagged{" "}
        <code>interactive=false</code>), or a clean variant with none. It runs through this project&apos;s gateway against the simulator.
      </p>
      {status.isPending ? <LoadingState /> : null}
      {status.isError ? <ErrorState error={status.error} onRetry={() => void status.refetch()} /> : null}
      {!simulator ? <p className="text-sm">The gateway calls a real provider here, so the workload is off (it runs only against the simulator).</p> : null}
      {canStart && simulator ? (
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            start.mutate();
          }}
        >
          <div>
            <Label htmlFor="reference-variant">Variant</Label>
            <Select
              id="reference-variant"
              value={variant}
              onChange={(e) => setVariant(e.target.value === "clean" ? "clean" : "reference")}
            >
              <option value="reference">Reference (bottlenecks planted)</option>
              <option value="clean">Clean (no bottlenecks)</option>
            </Select>
          </div>
          <div>
            <Label htmlFor="reference-requests">Requests</Label>
            <Input
              id="reference-requests"
              type="number"
              min={30}
              max={5000}
              step={10}
              className="w-28"
              value={requests}
              onChange={(e) => setRequests(Number(e.target.value))}
            />
          </div>
          <Button type="submit" variant="primary" disabled={start.isPending || view?.running === true} data-testid="start-reference">
            {start.isPending ? "Starting…" : "Run reference workload"}
          </Button>
          {view?.running ? (
            <Button type="button" onClick={() => cancel.mutate()} disabled={cancel.isPending} data-testid="cancel-reference">
              Cancel
            </Button>
          ) : null}
        </form>
      ) : null}
      {!canStart ? <p className="text-sm text-[var(--muted)]">Only admins start the workload.</p> : null}
      <FormError message={start.error?.message ?? cancel.error?.message ?? null} />
      {view ? (
        <div className="space-y-2" data-testid="reference-run" data-state={status.data?.run?.state}>
          <p role="status" className="text-sm font-medium" data-testid="reference-headline">
            {view.headline}
          </p>
          <div className="h-2 w-full max-w-md rounded bg-[var(--border)]" aria-hidden>
            <div className="h-2 rounded bg-[var(--accent)]" style={{ width: `${view.percent}%` }} />
          </div>
          {view.rows.length > 0 ? (
            <table className="text-sm" data-testid="reference-routes">
              <thead>
                <tr className="text-left text-xs uppercase text-[var(--muted)]">
                  <th className="pr-4">Route</th>
                  <th className="pr-4">Calls</th>
                  <th className="pr-4">Failed</th>
                  <th className="pr-4">Repeats</th>
                  <th>Tool spans</th>
                </tr>
              </thead>
              <tbody>
                {view.rows.map((r) => (
                  <tr key={r.route} data-route={r.route}>
                    <td className="pr-4 font-mono">{r.route}</td>
                    <td className="pr-4 tabular-nums">{r.requests}</td>
                    <td className="pr-4 tabular-nums">{r.failed}</td>
                    <td className="pr-4 tabular-nums">{r.repeats}</td>
                    <td className="tabular-nums">{r.toolSpans}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}
