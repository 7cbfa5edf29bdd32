"use client";

import Link from "next/link";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import type { Finding } from "@/lib/advisor/finding-schema";
import { contextOptionRows, findingLinks, gapHistogramRows, missReasonRows, ttlCurveRows } from "@/lib/advisor/findings-view";
import { formatCount, formatMs, formatPercent, formatUsd } from "@/lib/metrics/format";
import { FindingsGapHistogram } from "./findings-gap-histogram";
import { FindingsTtlChart } from "./findings-ttl-chart";

/**
 * The ranked findings: title, kind, confidence and $ per day on one line; the measured rate, the
 * impact figures and the recommendation under it; "Evidence" opens the example events and traces,
 * the playground experiment, the TTL curve and the gap histogram. The caller ranks and handles
 * loading, empty and error states.
 */
export function FindingsList({ findings, projectSlug }: { findings: Finding[]; projectSlug: string }) {
  return (
    <ol className="flex flex-col gap-2" data-testid="findings-list">
      {findings.map((f, k) => (
        // The first finding of a kind carries the #finding-<kind> anchor a draft's message links to.
        <FindingItem key={`${f.kind}-${f.route}-${f.agent}`} finding={f} projectSlug={projectSlug} anchor={findings.findIndex((o) => o.kind === f.kind) === k} />
      ))}
    </ol>
  );
}

/** A saving in ms as "−570 ms", or "unchanged" when the fix does not touch it. */
const less = (ms: number) => (ms > 0 ? `−${formatMs(ms)}` : "unchanged");

function FindingItem({ finding: f, projectSlug, anchor }: { finding: Finding; projectSlug: string; anchor: boolean }) {
  const [open, setOpen] = useState(false);
  const links = findingLinks(f, projectSlug);
  const curve = ttlCurveRows(f);
  const gaps = gapHistogramRows(f);
  const misses = missReasonRows(f);
  const contextOptions = contextOptionRows(f);
  const id = `finding-${f.kind}-${f.route ?? "all"}-${f.agent ?? "any"}-evidence`;
  return (
    <li id={anchor ? `finding-${f.kind}` : undefined} className="scroll-mt-4 rounded-md border border-[var(--border)] p-2 text-sm target:ring-2 target:ring-[var(--accent)]" data-testid={`finding-${f.kind}`}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{f.title}</span>
        <Badge tone="neutral">{f.kind.replace(/_/g, " ")}</Badge>
        <Badge tone={f.confidence === "high" ? "good" : f.confidence === "medium" ? "warn" : "neutral"}>{f.confidence} confidence</Badge>
        <span className="ml-auto tabular-nums" data-testid="finding-usd-per-day">
          {formatUsd(f.impact.usdPerDay)}/day
        </span>
      </div>
      <p className="text-xs text-[var(--muted)]">
        {f.route ?? "no route"}
        {f.agent ? ` · ${f.agent}` : ""} · {formatPercent(f.evidence.rate)} ({f.evidence.affected} of {f.evidence.requests}) · p50 {less(f.impact.p50Ms)} · p95 {less(f.impact.p95Ms)} · TTFT p95 {less(f.impact.ttftP95Ms)} · perceived {less(f.impact.perceivedMs)} · {formatUsd(f.impact.usdPerRequest)}/request
      </p>
      <p className="mt-1">{f.recommendation}</p>
      <button type="button" className="mt-1 text-xs underline" aria-expanded={open} aria-controls={id} onClick={() => setOpen((o) => !o)} data-testid="finding-evidence-toggle">
        {open ? "Hide evidence" : "Evidence"}
      </button>
      {open ? (
        <div id={id} className="mt-2 flex flex-col gap-2" data-testid="finding-evidence">
          {links.playground ? (
            <Link href={links.playground} className="text-xs font-medium underline" data-testid="finding-playground-link">
              Verify quality in the playground
            </Link>
          ) : null}
          {links.events.length ? (
            <p className="text-xs">
              Example events:{" "}
              {links.events.map((e, k) => (
                <span key={e.id}>
                  {k ? ", " : ""}
                  <Link href={e.href} className="underline">
                    {e.id}
                  </Link>
                </span>
              ))}
            </p>
          ) : null}
          {links.traces.length ? (
            <p className="text-xs">
              Example traces:{" "}
              {links.traces.map((t, k) => (
                <span key={t.id}>
                  {k ? ", " : ""}
                  <Link href={t.href} className="underline">
                    {t.id}
                  </Link>
                </span>
              ))}
            </p>
          ) : null}
          {contextOptions.length ? (
            <table className="w-fit text-xs tabular-nums" data-testid="finding-context-options">
              <caption className="pb-1 text-left font-medium">Two ways to stop resending the whole history</caption>
              <thead className="text-[var(--muted)]">
                <tr>
                  <th className="pr-4 text-left font-normal">option</th>
                  <th className="pr-4 text-left font-normal">each later turn sends</th>
                  <th className="pr-4 text-right font-normal">input tokens saved</th>
                  <th className="text-right font-normal">$ per day</th>
                </tr>
              </thead>
              <tbody>
                {contextOptions.map((o) => (
                  <tr key={o.option}>
                    <td className="pr-4">{o.option}</td>
                    <td className="pr-4">{o.keeps}</td>
                    <td className="pr-4 text-right">
                      {formatCount(o.tokensSaved)} ({formatPercent(o.share)})
                    </td>
                    <td className="text-right">{formatUsd(o.usdPerDay)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {misses.length ? <p className="text-xs">Why the calls missed the prompt cache: {misses.map((m) => `${m.reason} ${m.count}`).join(", ")}</p> : null}
          <div className="flex flex-wrap gap-4">
            <FindingsTtlChart points={curve} />
            <FindingsGapHistogram rows={gaps} title={f.kind === "response_cache" ? "Time until the same prompt came again" : "Gap since the previous call with the same prefix"} />
          </div>
        </div>
      ) : null}
    </li>
  );
}
