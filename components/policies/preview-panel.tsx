"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { fetchJson } from "@/components/auth/fetch-json";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Select } from "@/components/ui/input";
import type { ImpactResult, RuleImpact } from "@/lib/policies/impact-estimate";
import type { Kind } from "@/lib/policies/policy-text";

type Preview = ImpactResult & { liveVersion: number; window: { from: string; to: string }; basis: { totalEvents: number; sampled: boolean; sampleSize: number }; tookMs: number };

const WINDOWS = [
  { days: 1, label: "last 24 hours" },
  { days: 7, label: "last 7 days" },
  { days: 30, label: "last 30 days" },
] as const;

const usd = (n: number) => (Math.abs(n) < 1 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`);
const count = (n: number) => n.toLocaleString("en-US");

function mix(m: Record<string, number>, total: number): string {
  if (total === 0) return "—";
  return Object.entries(m)
    .slice(0, 3)
    .map(([k, n]) => `${k} ${Math.round((n / total) * 100)}%`)
    .join(", ");
}

/** The draft run over recorded traffic before it is saved: per rule, next to the live version. */
export function PreviewPanel({ projectSlug, kind, draft }: { projectSlug: string; kind: Kind; draft: unknown | null }) {
  const [days, setDays] = useState(7);
  const run = useMutation({
    mutationFn: () => {
      const to = new Date();
      const from = new Date(to.getTime() - days * 86_400_000);
      return fetchJson<Preview>(`/api/v1/policies/${kind}/preview?project=${encodeURIComponent(projectSlug)}`, {
        method: "POST",
        json: { document: draft, from: from.toISOString(), to: to.toISOString() },
      });
    },
  });
  const p = run.data;
  return (
    <Card className="flex flex-col gap-2" data-testid="policy-preview">
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="text-sm font-semibold">Impact preview</h2>
        <Select aria-label="Preview window" className="py-1 text-xs" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {WINDOWS.map((w) => (
            <option key={w.days} value={w.days}>
              {w.label}
            </option>
          ))}
        </Select>
        <Button className="ml-auto" data-testid="policy-preview-run" disabled={draft === null || run.isPending} onClick={() => run.mutate()}>
          {run.isPending ? "Running over recorded calls…" : "Preview my draft"}
        </Button>
      </div>
      {draft === null ? <p className="text-xs text-[var(--muted)]">Edit the policy (a valid draft) to see what it would have done to recorded traffic.</p> : null}
      {run.error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {run.error.message}
        </p>
      ) : null}
      {p ? (
        <>
          <p className="text-xs" data-testid="policy-preview-basis">
            {p.basis.totalEvents === 0
              ? "No recorded calls in this window."
              : p.basis.sampled
                ? `From a random sample of ${count(p.basis.sampleSize)} of ${count(p.basis.totalEvents)} calls, scaled to all of them.`
                : `From all ${count(p.basis.totalEvents)} recorded calls.`}{" "}
            <span className="text-[var(--muted)]">Live version {p.liveVersion} for comparison · {p.tookMs} ms</span>
          </p>
          <div className="overflow-x-auto">
            <table className="w-full text-xs" data-testid="policy-preview-table">
              <thead>
                <tr className="text-left text-[var(--muted)]">
                  <th className="pr-2 font-normal">Rule</th>
                  <th className="pr-2 text-right font-normal">Requests</th>
                  <th className="pr-2 text-right font-normal">Live</th>
                  <th className="pr-2 font-normal">{kind === "routing" ? "Model mix" : "TTL mix"}</th>
                  {kind === "routing" ? <th className="pr-2 text-right font-normal">Est. cost</th> : null}
                  <th className="pr-2 text-right font-normal">Actual cost</th>
                </tr>
              </thead>
              <tbody>
                {p.rules.map((r) => (
                  <Row key={r.ruleId ?? "(default)"} r={r} kind={kind} label={r.ruleId ?? "default"} />
                ))}
                <Row r={{ ...p.total, ruleId: null, index: null }} kind={kind} label="Total" strong />
              </tbody>
            </table>
          </div>
          {kind === "routing" ? (
            <p className="text-[11px] text-[var(--muted)]">
              Estimated cost: each call&apos;s recorded tokens on the model the draft picks (split arms by weight), max_tokens caps applied, and prompt caching the draft turns on priced as cache reads of the
              system prompt. Unpriced models keep their recorded cost.
            </p>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}

function Row({ r, kind, label, strong }: { r: RuleImpact; kind: Kind; label: string; strong?: boolean }) {
  const ttlTotal = Object.values(r.ttlMix).reduce((s, n) => s + n, 0);
  return (
    <tr className={strong ? "border-t border-[var(--border)] font-semibold" : undefined}>
      <td className="max-w-40 truncate pr-2">{label}</td>
      <td className="pr-2 text-right tabular-nums">{count(r.requests)}</td>
      <td className="pr-2 text-right tabular-nums">{count(r.liveRequests)}</td>
      <td className="pr-2">
        {kind === "routing"
          ? mix(r.modelMix, r.requests)
          : Object.entries(r.ttlMix)
              .map(([t, n]) => `${t === "0" ? "off" : `${t}s`} ${Math.round((n / Math.max(1, ttlTotal)) * 100)}%`)
              .join(", ") || "—"}
      </td>
      {kind === "routing" ? <td className="pr-2 text-right tabular-nums">{usd(r.estimatedCostUsd)}</td> : null}
      <td className="pr-2 text-right tabular-nums">{usd(r.actualCostUsd)}</td>
    </tr>
  );
}
