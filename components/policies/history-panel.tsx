"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { fetchJson } from "@/components/auth/fetch-json";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorState, LoadingState } from "@/components/ui/states";
import type { PolicyDiff } from "@/lib/policies/policy-diff";
import { formatUtc } from "@/lib/metrics/format";
import { prettyJson, type Kind } from "@/lib/policies/policy-text";
import { shortWhen, versionActions, versionStatus } from "@/lib/policies/version-status";

export type HistoryVersion = {
  version: number;
  document: unknown;
  comment: string | null;
  createdBy: string | null;
  createdAt: string;
  live: boolean;
  /** The last time it went live; null: a draft, never live. */
  wentLiveAt: string | null;
  diff: PolicyDiff;
  summary: string[];
};
type History = { kind: Kind; liveVersion: number; versions: HistoryVersion[]; truncated: boolean };
type AuditEntry = { kind: Kind; action: string; version: number; previousVersion: number | null; sourceVersion: number | null; actor: string | null; comment: string | null; at: string };

const ACTION_LABEL: Record<string, string> = { save: "saved", save_draft: "saved (not live)", activate: "activated", rollback: "rolled back" };

/** Every version with its diff to the one before, one-click rollback, and the audit log. */
export function HistoryPanel({
  projectSlug,
  kind,
  canEdit,
  liveVersion,
  onChanged,
  onCompare,
}: {
  projectSlug: string;
  kind: Kind;
  canEdit: boolean;
  liveVersion: number;
  onChanged: (message: string) => Promise<void> | void;
  /** Opens the before/after comparison of the moment this version went live. */
  onCompare?: (change: { at: string; title: string; kind?: "routing" | "cache"; version?: number }) => void;
}) {
  const q = encodeURIComponent(projectSlug);
  const history = useQuery({
    queryKey: ["policy-history", projectSlug, kind, liveVersion],
    queryFn: () => fetchJson<History>(`/api/v1/policies/${kind}/versions?project=${q}`),
  });
  const audit = useQuery({
    queryKey: ["policy-audit", projectSlug, kind, liveVersion],
    queryFn: () => fetchJson<{ entries: AuditEntry[] }>(`/api/v1/policies/audit?project=${q}&kind=${kind}&limit=50`),
  });
  const rollback = useMutation({
    mutationFn: (n: number) => fetchJson<{ version: number; rolledBackTo: number }>(`/api/v1/policies/${kind}/versions/${n}/rollback?project=${q}`, { method: "POST" }),
    onSuccess: (res) => onChanged(`Rolled back to version ${res.rolledBackTo}: it is live as version ${res.version}.`),
  });
  const [open, setOpen] = useState<number | null>(null);

  return (
    <Card className="flex flex-col gap-2">
      <h2 className="text-sm font-semibold">History</h2>
      {history.isLoading ? <LoadingState /> : null}
      {history.isError ? <ErrorState error={history.error} onRetry={() => void history.refetch()} /> : null}
      {history.data && history.data.versions.length === 0 ? <p className="text-sm text-[var(--muted)]">No versions yet.</p> : null}
      {rollback.error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {rollback.error.message}
        </p>
      ) : null}
      <ol className="flex flex-col divide-y divide-[var(--border)]" data-testid="policy-versions">
        {history.data?.versions.map((v) => {
          const status = versionStatus(v, liveVersion);
          const actions = versionActions(v, liveVersion, canEdit);
          const when = shortWhen(v.createdAt);
          return (
          <li key={v.version} className="py-2 text-sm" data-testid={`policy-version-${v.version}`}>
            <div className="flex flex-wrap items-center gap-2">
              <strong>v{v.version}</strong>
              {status === "live" ? <Badge tone="good">live</Badge> : null}
              {status === "draft" ? (
                <Badge tone="info" data-testid={`policy-version-${v.version}-draft`}>
                  draft
                </Badge>
              ) : null}
              {/* The author may be long and is cut; the time never is (full timestamp in the title). */}
              <span className="flex min-w-0 items-center gap-1 text-xs text-[var(--muted)]">
                <span className="max-w-40 truncate" title={v.createdBy ?? undefined}>
                  {v.createdBy ?? "—"}
                </span>
                <span aria-hidden>·</span>
                <time dateTime={v.createdAt} title={when.title} className="whitespace-nowrap" data-testid={`policy-version-${v.version}-when`}>
                  {when.text}
                </time>
              </span>
              <span className="ml-auto flex gap-1">
                <Button variant="ghost" className="px-2 py-0.5 text-xs" aria-expanded={open === v.version} onClick={() => setOpen(open === v.version ? null : v.version)}>
                  {open === v.version ? "Hide" : "View"}
                </Button>
                {onCompare && actions.compareAt ? (
                  <Button variant="ghost" className="px-2 py-0.5 text-xs" data-testid={`policy-compare-${v.version}`} onClick={() => onCompare({ at: actions.compareAt!, title: `${kind} v${v.version} live`, kind, version: v.version })}>
                    Before/after
                  </Button>
                ) : null}
                {actions.rollback ? (
                  <Button className="px-2 py-0.5 text-xs" data-testid={`policy-rollback-${v.version}`} disabled={rollback.isPending} onClick={() => rollback.mutate(v.version)}>
                    Roll back to this
                  </Button>
                ) : null}
                {actions.openAsDraft ? (
                  <Link
                    href={`/p/${encodeURIComponent(projectSlug)}/policies?kind=${kind}&draft=${v.version}`}
                    className="rounded border border-[var(--border)] px-2 py-0.5 text-xs"
                    data-testid={`policy-open-draft-${v.version}`}
                  >
                    Open draft
                  </Link>
                ) : null}
              </span>
            </div>
            {v.comment ? <p className="text-xs">{v.comment}</p> : null}
            <ul className="list-disc pl-5 text-xs text-[var(--muted)]" data-testid={`policy-version-${v.version}-diff`}>
              {v.summary.length === 0 ? <li>no change in meaning</li> : v.summary.slice(0, 8).map((l, i) => <li key={i}>{l}</li>)}
              {v.summary.length > 8 ? <li>… and {v.summary.length - 8} more</li> : null}
            </ul>
            {open === v.version ? <pre className="mt-1 max-h-64 overflow-auto rounded bg-[var(--background)] p-2 text-xs">{prettyJson(v.document)}</pre> : null}
          </li>
          );
        })}
      </ol>
      <details className="text-xs" data-testid="policy-audit">
        <summary className="cursor-pointer font-medium">Audit log</summary>
        {audit.isError ? <ErrorState error={audit.error} /> : null}
        <ul className="mt-1 flex flex-col gap-0.5">
          {audit.data?.entries.map((a, i) => (
            <li key={i}>
              {formatUtc(a.at)} · {a.actor ?? "—"} {ACTION_LABEL[a.action] ?? a.action} v{a.version}
              {a.sourceVersion !== null ? ` (copy of v${a.sourceVersion})` : ""}
              {a.previousVersion !== null && a.action !== "save_draft" ? `, was v${a.previousVersion}` : ""}
            </li>
          ))}
          {audit.data?.entries.length === 0 ? <li className="text-[var(--muted)]">Nothing yet.</li> : null}
        </ul>
      </details>
    </Card>
  );
}
