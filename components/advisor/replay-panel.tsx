"use client";

import { useMemo } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import type { ReplayAnswer } from "@/lib/advisor/replay/replay-schema";
import { parsePolicyDocument } from "@/lib/policies/policy-document";
import { AnalysisProgress } from "./analysis-progress";
import { FiguresTable } from "./figures-table";
import { useAnalysis } from "./use-analysis";

export type ReplayCandidate = { routing: string; cache: string; stream: boolean };

/** Checks a candidate text with the policy API's own schema (empty = keep the live document). */
function check(kind: "routing" | "cache", text: string): { ok: true; doc: unknown } | { ok: false; message: string } {
  if (text.trim() === "") return { ok: true, doc: undefined };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `${kind}: not JSON (${(e as Error).message})` };
  }
  const parsed = parsePolicyDocument(kind, raw);
  return parsed.ok ? { ok: true, doc: raw } : { ok: false, message: `${kind}.${parsed.issues[0]!.path}: ${parsed.issues[0]!.message}` };
}

/** Edit candidate policies, replay them over the window, and read predicted next to the backtest. */
export function ReplayPanel({ url, candidate, onChange }: { url: string; candidate: ReplayCandidate; onChange: (c: ReplayCandidate) => void }) {
  const { state, run, cancel } = useAnalysis<ReplayAnswer>();
  const routing = useMemo(() => check("routing", candidate.routing), [candidate.routing]);
  const cache = useMemo(() => check("cache", candidate.cache), [candidate.cache]);
  const problems = [routing, cache].flatMap((c) => (c.ok ? [] : [c.message]));
  const start = () => {
    if (!routing.ok || !cache.ok) return;
    void run(url, { ...(routing.doc !== undefined ? { routing: routing.doc } : {}), ...(cache.doc !== undefined ? { cache: cache.doc } : {}), ...(candidate.stream ? { code: { stream: true } } : {}) });
  };
  const result = state.status === "done" ? state.result : null;
  return (
    <Card className="flex flex-col gap-3" data-testid="advisor-replay">
      <h2 className="text-sm font-semibold">What-if replay</h2>
      <p className="text-xs text-[var(--muted)]">Replays the recorded calls of the window in time order under the candidate documents (left empty: the live one). The backtest replays the live policy; its error against what was measured is the trust of each prediction.</p>
      <div className="grid gap-3 md:grid-cols-2">
        {(["routing", "cache"] as const).map((kind) => (
          <label key={kind} className="flex flex-col gap-1 text-xs">
            Candidate {kind} policy (JSON)
            <textarea
              className={cn("h-40 rounded border bg-[var(--card)] p-2 font-mono text-[11px]", (kind === "routing" ? routing : cache).ok ? "border-[var(--border)]" : "border-red-500")}
              value={candidate[kind]}
              spellCheck={false}
              placeholder="empty: the live document"
              data-testid={`replay-${kind}`}
              onChange={(e) => onChange({ ...candidate, [kind]: e.target.value })}
            />
          </label>
        ))}
      </div>
      <label className="flex items-center gap-2 text-xs">
        <input type="checkbox" checked={candidate.stream} onChange={(e) => onChange({ ...candidate, stream: e.target.checked })} />
        Assume the client streams every call
      </label>
      {problems.length > 0 ? (
        <p role="alert" className="text-xs text-red-600" data-testid="replay-invalid">
          {problems.join(" · ")}
        </p>
      ) : null}
      <div>
        <Button variant="primary" onClick={start} disabled={problems.length > 0 || state.status === "running"} data-testid="replay-run">
          Run replay
        </Button>
      </div>
      <AnalysisProgress state={state} onCancel={cancel} onRetry={start} testId="replay" />
      {result ? (
        result.notEnoughData ? (
          <p className="text-sm text-amber-700 dark:text-amber-300" data-testid="replay-not-enough">
            {result.notEnoughData}: no prediction for this window.
          </p>
        ) : (
          <div className="flex flex-col gap-3" data-testid="replay-result">
            <p className="text-xs text-[var(--muted)]">
              {result.requests} calls replayed in {Math.round(result.elapsedMs)} ms. {result.notes.join(" ")}
            </p>
            <h3 className="text-xs font-semibold">Overall</h3>
            <FiguresTable testId="replay-overall" measured={result.overall.measured} backtest={result.overall.backtest} predicted={result.overall.predicted} error={result.overall.backtestError} />
            {result.routes.map((r) => (
              <details key={r.route ?? "(none)"} className="text-xs">
                <summary className="cursor-pointer">Route {r.route ?? "(no route)"} · {r.measured.requests} calls{r.notEnoughData ? ` · ${r.notEnoughData}` : ""}</summary>
                {r.notEnoughData ? null : <FiguresTable testId={`replay-route-${r.route ?? "none"}`} measured={r.measured} backtest={r.backtest} predicted={r.predicted} error={r.backtestError} />}
              </details>
            ))}
          </div>
        )
      ) : null}
    </Card>
  );
}
