"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useQueryStates } from "nuqs";
import { useState } from "react";
import { fetchJson } from "@/components/auth/fetch-json";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/input";
import { EmptyState, ErrorState, LoadingState } from "@/components/ui/states";
import { Table, Td, Th } from "@/components/ui/table";
import { formatUsd, formatUtcDay } from "@/lib/metrics/format";
import type { RecomputeJobView } from "@/lib/metrics/recompute-costs";
import type { PriceView } from "@/lib/pricing/price-view";
import { pricesInForce } from "@/lib/pricing/prices-in-force";
import { pricingParsers } from "./search-params";

const RATES = [
  { key: "inputPerMTok", label: "Input" },
  { key: "cacheWrite5mPerMTok", label: "5m cache write" },
  { key: "cacheWrite1hPerMTok", label: "1h cache write" },
  { key: "cacheReadPerMTok", label: "Cache read" },
  { key: "outputPerMTok", label: "Output" },
] as const;

type Draft = { model: string; effectiveFrom: string; minPromptTokens: string } & Record<(typeof RATES)[number]["key"], string>;

const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export function PricingClient({ projectSlug, canEdit }: { projectSlug: string; canEdit: boolean }) {
  const [{ q }, setParams] = useQueryStates(pricingParsers);
  const queryClient = useQueryClient();
  const slug = encodeURIComponent(projectSlug);
  const prices = useQuery({ queryKey: ["prices", projectSlug], queryFn: () => fetchJson<{ prices: PriceView[] }>(`/api/v1/prices?project=${slug}`).then((r) => r.prices) });
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [changedFrom, setChangedFrom] = useState<string | null>(null);

  const save = useMutation({
    mutationFn: (d: Draft) =>
      fetchJson<{ prices: PriceView[] }>(`/api/v1/prices?project=${slug}`, {
        method: "PUT",
        json: {
          prices: [
            {
              model: d.model.trim(),
              effectiveFrom: new Date(d.effectiveFrom).toISOString(),
              minPromptTokens: Number(d.minPromptTokens || 0),
              ...Object.fromEntries(RATES.map((r) => [r.key, Number(d[r.key])])),
            },
          ],
        },
      }),
    onSuccess: (_res, d) => {
      setDraft(null);
      setSaveError(null);
      setChangedFrom(new Date(d.effectiveFrom).toISOString());
      void queryClient.invalidateQueries({ queryKey: ["prices", projectSlug] });
    },
    onError: (err) => setSaveError(err.message),
  });

  const startEdit = (row?: PriceView) =>
    setDraft({
      model: row?.model ?? "",
      // A change takes effect from now unless the operator backdates it: history stays intact.
      effectiveFrom: localInput(new Date()),
      minPromptTokens: String(row?.minPromptTokens ?? 0),
      ...(Object.fromEntries(RATES.map((r) => [r.key, row ? String(row[r.key]) : ""])) as Record<(typeof RATES)[number]["key"], string>),
    });

  const rows = (prices.data ?? []).filter((r) => !q || r.model.toLowerCase().includes(q.toLowerCase()));
  const current = pricesInForce(prices.data ?? [], new Date());

  return (
    <div className="space-y-4" data-testid="pricing-page">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">Pricing</h1>
        <div className="flex items-center gap-2">
          <Input placeholder="Search models" value={q} onChange={(e) => void setParams({ q: e.target.value || null })} className="w-56" aria-label="Search models" data-testid="price-search" />
          {canEdit ? (
            <Button variant="primary" className="whitespace-nowrap" onClick={() => startEdit()} data-testid="add-price">
              Add price
            </Button>
          ) : null}
        </div>
      </div>
      <p className="text-sm text-[var(--muted)]">
        USD per million tokens. A model can have several effective dates (the newest one not after an event prices it) and tiers (the highest minimum prompt size the
        request reaches applies to the whole request). Dated model ids use their family&apos;s price.
      </p>

      {draft ? (
        <Card className="space-y-3" data-testid="price-form">
          <CardTitle>{draft.model ? `Price for ${draft.model}` : "New price"}</CardTitle>
          <form
            className="grid gap-3 md:grid-cols-4"
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate(draft);
            }}
          >
            <div>
              <Label htmlFor="price-model">Model</Label>
              <Input id="price-model" required value={draft.model} onChange={(e) => setDraft({ ...draft, model: e.target.value })} placeholder="claude-sonnet-4-5" />
            </div>
            <div>
              <Label htmlFor="price-from">Effective from</Label>
              <Input id="price-from" type="datetime-local" required value={draft.effectiveFrom} onChange={(e) => setDraft({ ...draft, effectiveFrom: e.target.value })} />
            </div>
            <div>
              <Label htmlFor="price-tier">Min prompt tokens</Label>
              <Input id="price-tier" type="number" min={0} step={1} value={draft.minPromptTokens} onChange={(e) => setDraft({ ...draft, minPromptTokens: e.target.value })} />
            </div>
            <div />
            {RATES.map((r) => (
              <div key={r.key}>
                <Label htmlFor={`price-${r.key}`}>{r.label} ($/MTok)</Label>
                <Input
                  id={`price-${r.key}`}
                  type="number"
                  min={0}
                  step="0.001"
                  required
                  value={draft[r.key]}
                  onChange={(e) => setDraft({ ...draft, [r.key]: e.target.value })}
                  data-testid={`price-${r.key}`}
                />
              </div>
            ))}
            <div className="flex items-end gap-2 md:col-span-4">
              <Button type="submit" variant="primary" disabled={save.isPending} data-testid="save-price">
                {save.isPending ? "Saving…" : "Save price"}
              </Button>
              <Button type="button" onClick={() => setDraft(null)}>
                Cancel
              </Button>
              {saveError ? (
                <span role="alert" className="text-sm text-red-600">
                  {saveError}
                </span>
              ) : null}
            </div>
          </form>
        </Card>
      ) : null}

      {canEdit ? <RecomputePanel key={changedFrom ?? "none"} projectSlug={projectSlug} suggestedFrom={changedFrom} /> : null}

      {prices.isError ? (
        <ErrorState error={prices.error} onRetry={() => void prices.refetch()} />
      ) : prices.isPending ? (
        <LoadingState />
      ) : rows.length === 0 ? (
        <EmptyState title={q ? "No model matches" : "No prices yet"} hint={canEdit ? "Add a price to compute costs for a model." : undefined} />
      ) : (
        <Table data-testid="prices-table">
          <thead>
            <tr>
              <Th>Model</Th>
              <Th>Effective from</Th>
              <Th className="text-right">Min prompt</Th>
              {RATES.map((r) => (
                <Th key={r.key} className="text-right">
                  {r.label}
                </Th>
              ))}
              <Th>Source</Th>
              {canEdit ? <Th /> : null}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-testid="price-row" data-model={r.model} className={current.has(r) ? "" : "text-[var(--muted)]"}>
                <Td className="font-medium">
                  {r.model} {current.has(r) ? <Badge tone="info">in force</Badge> : null}
                </Td>
                <Td className="whitespace-nowrap">{formatUtcDay(r.effectiveFrom)}</Td>
                <Td className="text-right">{r.minPromptTokens > 0 ? `≥ ${r.minPromptTokens.toLocaleString("en-US")}` : "any"}</Td>
                {RATES.map((rate) => (
                  <Td key={rate.key} className="text-right">
                    {formatUsd(r[rate.key])}
                  </Td>
                ))}
                <Td>{r.verified ? <span className="text-xs">{r.source ?? "verified"}</span> : <Badge tone="warn">unverified</Badge>}</Td>
                {canEdit ? (
                  <Td>
                    <Button variant="ghost" onClick={() => startEdit(r)} data-testid="edit-price">
                      Edit
                    </Button>
                  </Td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}

/**
 * After a price change: recompute the stored costs of a time range with the new table, with
 * progress. The dashboards follow within seconds (the rollups take the cost deltas).
 */
function RecomputePanel({ projectSlug, suggestedFrom }: { projectSlug: string; suggestedFrom: string | null }) {
  const slug = encodeURIComponent(projectSlug);
  const queryClient = useQueryClient();
  // Defaults are set once per mount; the page remounts this panel after each price change.
  const [fromValue, setFrom] = useState(() => localInput(suggestedFrom ? new Date(suggestedFrom) : new Date(Date.now() - 7 * 86_400_000)));
  const [toValue, setTo] = useState(() => localInput(new Date(Date.now() + 60_000)));
  const [error, setError] = useState<string | null>(null);
  const jobs = useQuery({
    queryKey: ["recompute", projectSlug],
    queryFn: () => fetchJson<{ jobs: RecomputeJobView[] }>(`/api/v1/prices/recompute?project=${slug}`).then((r) => r.jobs),
    refetchInterval: (query) => (query.state.data?.some((j) => j.status === "running") ? 500 : false),
  });
  const start = useMutation({
    mutationFn: (body: { from: string; to: string }) => fetchJson<{ job: RecomputeJobView }>(`/api/v1/prices/recompute?project=${slug}`, { method: "POST", json: body }),
    onSuccess: () => {
      setError(null);
      void queryClient.invalidateQueries({ queryKey: ["recompute", projectSlug] });
    },
    onError: (err) => setError(err.message),
  });
  const latest = jobs.data?.[0];

  return (
    <Card className="space-y-3" data-testid="recompute-panel">
      <CardTitle>Recompute stored costs</CardTitle>
      {suggestedFrom ? (
        <p className="text-sm" data-testid="recompute-offer">
          Prices changed. Stored events keep the cost they were ingested with until you recompute them: choose the range to reprice.
        </p>
      ) : (
        <p className="text-sm text-[var(--muted)]">Reprice events Pitwall priced (client-supplied costs are kept) with the current table.</p>
      )}
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new Date(fromValue);
          const t = new Date(toValue);
          if (!(f < t)) return setError("The start must be before the end.");
          start.mutate({ from: f.toISOString(), to: t.toISOString() });
        }}
      >
        <div>
          <Label htmlFor="recompute-from">From</Label>
          <Input id="recompute-from" type="datetime-local" value={fromValue} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div>
          <Label htmlFor="recompute-to">To</Label>
          <Input id="recompute-to" type="datetime-local" value={toValue} onChange={(e) => setTo(e.target.value)} />
        </div>
        <Button type="submit" variant={suggestedFrom ? "primary" : "secondary"} disabled={start.isPending || latest?.status === "running"} data-testid="start-recompute">
          Recompute costs
        </Button>
        {error ? (
          <span role="alert" className="text-sm text-red-600">
            {error}
          </span>
        ) : null}
      </form>
      {latest ? (
        <div className="space-y-1 text-sm" data-testid="recompute-job" data-status={latest.status}>
          <div className="flex justify-between">
            <span>
              {formatUtcDay(latest.from)} → {formatUtcDay(latest.to)}: {latest.status}
            </span>
            <span className="tabular-nums">
              {latest.processed.toLocaleString("en-US")} / {latest.total.toLocaleString("en-US")} events · {latest.changed.toLocaleString("en-US")} changed · Δ{" "}
              {formatUsd(latest.deltaUsd)}
            </span>
          </div>
          <div className="h-2 overflow-hidden rounded bg-[var(--border)]" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(latest.progress * 100)}>
            <div className="h-full bg-[var(--accent)] transition-all" style={{ width: `${Math.round(latest.progress * 100)}%` }} />
          </div>
          {latest.error ? <p className="text-red-600">{latest.error}</p> : null}
        </div>
      ) : null}
    </Card>
  );
}
