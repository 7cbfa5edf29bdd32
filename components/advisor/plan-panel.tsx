"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef } from "react";
import { fetchJson } from "@/components/auth/fetch-json";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorState } from "@/components/ui/states";
import { changeOf, trustLabel } from "@/lib/advisor/advisor-view";
import type { Phase, PlanAnswer } from "@/lib/advisor/plan-schema";
import { formatChange, formatCostPerRequest, formatMs, formatUsd } from "@/lib/metrics/format";

type Applied = { kind: string; version: number; editorUrl: string };

const pct = (base: number | null, v: number | null) => {
  const c = changeOf(base, v);
  return c === null ? "" : ` (${formatChange(c)})`;
};

function PhaseCard({ phase, index, plan, projectSlug, canEdit, onUseInReplay }: { phase: Phase; index: number; plan: PlanAnswer; projectSlug: string; canEdit: boolean; onUseInReplay: (p: Phase) => void }) {
  const apply = useMutation({
    mutationFn: () =>
      fetchJson<Applied>(`/api/v1/advisor/plan/apply?project=${encodeURIComponent(projectSlug)}`, {
        method: "POST",
        json: { phase: phase.id, title: phase.title, kind: phase.policy!.kind, document: phase.policy!.document, finding: phase.finding, predicted: phase.projection, baseline: plan.baseline, backtestError: plan.backtestError },
      }),
  });
  const p = phase.projection;
  const b = plan.baseline;
  // The Apply button is disabled once the draft exists: the keyboard focus moves to its editor link.
  const editorLink = useRef<HTMLAnchorElement>(null);
  useEffect(() => {
    if (apply.isSuccess) editorLink.current?.focus();
  }, [apply.isSuccess]);
  return (
    <li className="flex flex-col gap-2 rounded-md border border-[var(--border)] p-3" data-testid={`phase-${phase.id}`}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-sm font-semibold">
          Phase {index + 1}: {phase.title}
        </span>
        <Badge tone={phase.type === "policy" ? "info" : "neutral"}>{phase.type === "policy" ? "policy change" : "code change"}</Badge>
        <span className="text-xs text-[var(--muted)]" data-testid={`phase-${phase.id}-saving`}>
          {phase.usdPerDaySaved < 0 ? `costs ~${formatUsd(-phase.usdPerDaySaved)}/day more alone` : `saves ~${formatUsd(phase.usdPerDaySaved)}/day alone`}
        </span>
      </div>
      <p className="text-xs text-[var(--muted)]">Finding: {phase.finding.title}</p>
      {p ? (
        <p className="text-xs tabular-nums" data-testid={`phase-${phase.id}-projection`}>
          After this phase (cumulative): latency {formatMs(p.latencyMeanMs)}
          {pct(b.latencyMeanMs, p.latencyMeanMs)}, p95 {formatMs(p.latencyP95Ms)}
          {pct(b.latencyP95Ms, p.latencyP95Ms)}, perceived p95 {formatMs(p.perceivedP95Ms)}
          {pct(b.perceivedP95Ms, p.perceivedP95Ms)}, cost {formatCostPerRequest(p.costPerRequestUsd)}/request{pct(b.costPerRequestUsd, p.costPerRequestUsd)}, throughput {p.throughputPerMin?.toFixed(1) ?? "—"}/min per caller
          {plan.backtestError ? ` · trust p95 ${trustLabel(plan.backtestError.latencyP95Ms)}, cost ${trustLabel(plan.backtestError.costPerRequestUsd)}` : ""}
        </p>
      ) : (
        <p className="text-xs text-amber-700 dark:text-amber-300">No projection: {plan.notEnoughData ?? "not enough data"}.</p>
      )}
      {phase.notes.map((n) => (
        <p key={n} className="text-xs text-[var(--muted)]">
          {n}
        </p>
      ))}
      {phase.policy ? (
        <div className="flex flex-col gap-1">
          <ul className="list-disc pl-5 text-xs">
            {phase.policy.changes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <div className="flex flex-wrap items-center gap-2">
            <Button variant="secondary" onClick={() => onUseInReplay(phase)} data-testid={`phase-${phase.id}-replay`}>
              Edit in replay
            </Button>
            <Button
              variant="primary"
              disabled={!canEdit || apply.isPending || apply.isSuccess || !p}
              onClick={() => apply.mutate()}
              aria-describedby={!canEdit ? `phase-${phase.id}-apply-why` : undefined}
              title={!canEdit ? "Editors can apply a phase" : !p ? "No projection for this phase" : undefined}
              data-testid={`phase-${phase.id}-apply`}
            >
              {apply.isPending ? "Creating draft…" : apply.isSuccess ? "Draft created" : "Apply phase"}
            </Button>
            {!canEdit ? (
              <span id={`phase-${phase.id}-apply-why`} className="text-xs text-[var(--muted)]">
                Editors can apply a phase.
              </span>
            ) : null}
          </div>
          {apply.data ? (
            <p role="status" className="text-xs" data-testid={`phase-${phase.id}-applied`}>
              Saved as draft {apply.data.kind} version {apply.data.version}, not live yet.{" "}
              <Link ref={editorLink} className="text-[var(--accent)] underline" href={apply.data.editorUrl} data-testid={`phase-${phase.id}-draft-link`}>
                Open it in the policy editor
              </Link>{" "}
              to review it and make it live.
            </p>
          ) : null}
          {apply.isError ? <ErrorState title="Could not create the draft" error={apply.error} onRetry={() => apply.mutate()} /> : null}
        </div>
      ) : phase.code ? (
        <details className="text-xs">
          <summary className="cursor-pointer">How to</summary>
          <p className="mt-1">{phase.code.howTo}</p>
          <pre className="mt-1 overflow-x-auto rounded bg-[var(--border)] p-2 text-[11px]">{phase.code.snippet}</pre>
        </details>
      ) : null}
    </li>
  );
}

/** The phased plan: cumulative projections per phase next to the baseline and the reference case. */
export function PlanPanel({ plan, projectSlug, canEdit, onUseInReplay }: { plan: PlanAnswer; projectSlug: string; canEdit: boolean; onUseInReplay: (p: Phase) => void }) {
  const last = plan.phases.at(-1)?.projection ?? null;
  return (
    <Card className="flex flex-col gap-3" data-testid="advisor-plan">
      <div className="flex flex-wrap items-baseline gap-3">
        <h2 className="text-sm font-semibold">Plan</h2>
        <span className="text-xs text-[var(--muted)]">
          Now: {formatMs(plan.baseline.latencyMeanMs)} mean latency, {formatCostPerRequest(plan.baseline.costPerRequestUsd)}/request
          {last ? ` → after every phase: ${formatMs(last.latencyMeanMs)}${pct(plan.baseline.latencyMeanMs, last.latencyMeanMs)}, ${formatCostPerRequest(last.costPerRequestUsd)}/request${pct(plan.baseline.costPerRequestUsd, last.costPerRequestUsd)}` : ""}
          {` · reference case: ${Math.round(plan.reference.latencyChange * 100)}% latency, ${Math.round(plan.reference.costChange * 100)}% cost`}
        </span>
      </div>
      {plan.notes.map((n) => (
        <p key={n} className="text-xs text-amber-700 dark:text-amber-300" data-testid="advisor-plan-note">
          {n}
        </p>
      ))}
      {plan.phases.length === 0 ? <p className="text-sm text-[var(--muted)]">No phase: the findings leave nothing to change.</p> : null}
      <ol className="flex flex-col gap-2">
        {plan.phases.map((ph, i) => (
          <PhaseCard key={ph.id} phase={ph} index={i} plan={plan} projectSlug={projectSlug} canEdit={canEdit} onUseInReplay={onUseInReplay} />
        ))}
      </ol>
    </Card>
  );
}
