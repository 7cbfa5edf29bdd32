"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import { AnalysisProgress } from "@/components/advisor/analysis-progress";
import { FindingsList } from "@/components/advisor/findings-list";
import { PlanPanel } from "@/components/advisor/plan-panel";
import { ReplayPanel, type ReplayCandidate } from "@/components/advisor/replay-panel";
import { useAnalysis } from "@/components/advisor/use-analysis";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/states";
import { rankFindings, windowOf } from "@/lib/advisor/advisor-view";
import type { FindingsAnswer } from "@/lib/advisor/finding-schema";
import type { Phase, PlanAnswer } from "@/lib/advisor/plan-schema";
import { formatCount } from "@/lib/metrics/format";
import type { Role } from "@/lib/projects/roles";

const WINDOWS = [
  { hours: 1, label: "Last hour" },
  { hours: 24, label: "Last 24 hours" },
  { hours: 24 * 7, label: "Last 7 days" },
] as const;

const shortTime = (iso: string) => new Date(iso).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

/** Client half of the advisor page: findings, then the plan they make, then the replay. */
export function AdvisorClient({ projectSlug, role }: { projectSlug: string; role: Role }) {
  const [hours, setHours] = useState<number>(24);
  // The window is fixed when chosen, so the findings, the plan and the replay read the same calls.
  const [span, setSpan] = useState(() => windowOf(24));
  const q = `project=${encodeURIComponent(projectSlug)}&from=${encodeURIComponent(span.from)}&to=${encodeURIComponent(span.to)}`;
  const findings = useAnalysis<FindingsAnswer>();
  const plan = useAnalysis<PlanAnswer>();
  const { run: runFindings } = findings;
  const { reset: resetPlan } = plan;
  const loadFindings = useCallback(() => void runFindings(`/api/v1/advisor/findings?${q}`), [runFindings, q]);
  // A new window: new findings, and the plan of the old window goes.
  useEffect(() => {
    resetPlan();
    loadFindings();
  }, [loadFindings, resetPlan]);
  const answer = findings.state.status === "done" ? findings.state.result : null;
  const [candidate, setCandidate] = useState<ReplayCandidate>({ routing: "", cache: "", stream: false });
  const ranked = useMemo(() => rankFindings(answer?.findings ?? []), [answer]);
  // The draft's message links #finding-<kind>: scroll there once the findings are in.
  useEffect(() => {
    if (!answer || !window.location.hash.startsWith("#finding-")) return;
    document.getElementById(window.location.hash.slice(1))?.scrollIntoView({ block: "center" });
  }, [answer]);
  const canEdit = role !== "viewer";
  const analyse = () => void plan.run(`/api/v1/advisor/plan?${q}`, { findings: answer?.findings ?? [] });
  const useInReplay = (p: Phase) => {
    if (!p.policy) return;
    setCandidate((c) => ({ ...c, [p.policy!.kind]: JSON.stringify(p.policy!.document, null, 2) }));
    document.getElementById("advisor-replay")?.scrollIntoView({ behavior: "smooth" });
  };

  return (
    <div className="flex max-w-6xl flex-col gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Advisor</h1>
        {!canEdit ? (
          <Badge tone="info" data-testid="advisor-readonly">
            read-only: {role}
          </Badge>
        ) : null}
        <span className="text-xs text-[var(--muted)]" data-testid="advisor-span">
          {shortTime(span.from)} – {shortTime(span.to)}
        </span>
        <label className="ml-auto flex items-center gap-2 text-sm">
          Window
          <select
            className="rounded border border-[var(--border)] bg-[var(--card)] px-2 py-1 text-sm"
            value={hours}
            data-testid="advisor-window"
            onChange={(e) => {
              const h = Number(e.target.value);
              setHours(h);
              setSpan(windowOf(h));
            }}
          >
            {WINDOWS.map((w) => (
              <option key={w.hours} value={w.hours}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
        <Button onClick={() => setSpan(windowOf(hours))} title="Analyse the window again, up to now" data-testid="advisor-refresh">
          Refresh
        </Button>
      </div>

      <Card className="flex flex-col gap-2" data-testid="advisor-findings">
        <div className="flex flex-wrap items-baseline gap-2">
          <h2 className="text-sm font-semibold">Findings, by $ per day saved</h2>
          {answer ? (
            <span className="text-xs text-[var(--muted)]" data-testid="advisor-findings-summary">
              {ranked.length} {ranked.length === 1 ? "finding" : "findings"} over {formatCount(answer.requests)} requests
            </span>
          ) : null}
        </div>
        <AnalysisProgress state={findings.state} onCancel={findings.cancel} onRetry={loadFindings} testId="findings" />
        {answer && answer.requests === 0 ? <EmptyState title="No traffic in this window" hint="Send calls through the gateway (or run the reference workload from the demo settings), then refresh." /> : null}
        {answer && answer.requests > 0 && ranked.length === 0 ? (
          <EmptyState title="Nothing to fix found" hint={answer.skipped.length ? "Some routes have too few requests to judge (below); try a longer window." : "No finding passed its threshold in this window."} />
        ) : null}
        <FindingsList findings={ranked} projectSlug={projectSlug} />
        {answer?.skipped.length ? (
          <p className="text-xs text-[var(--muted)]" data-testid="advisor-skipped">
            Not judged: {answer.skipped.map((s) => `${s.route ?? "(no route)"} (${s.reason})`).join("; ")}
          </p>
        ) : null}
        {ranked.length > 0 ? (
          <div className="flex flex-wrap items-center gap-3">
            <Button variant="primary" onClick={analyse} disabled={plan.state.status === "running"} data-testid="advisor-make-plan">
              Make the plan
            </Button>
            {plan.state.status === "idle" ? <span className="text-xs text-[var(--muted)]">Orders the fixes into phases and replays the window under each, cumulatively.</span> : null}
            <AnalysisProgress state={plan.state} onCancel={plan.cancel} onRetry={analyse} testId="plan" />
          </div>
        ) : null}
      </Card>

      {plan.state.status === "done" ? <PlanPanel plan={plan.state.result} projectSlug={projectSlug} canEdit={canEdit} onUseInReplay={useInReplay} /> : null}

      <div id="advisor-replay">
        <ReplayPanel url={`/api/v1/advisor/replay?${q}`} candidate={candidate} onChange={setCandidate} />
      </div>
    </div>
  );
}
