"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { parseAsInteger, parseAsStringLiteral, useQueryState } from "nuqs";
import { useCallback, useState } from "react";
import { fetchJson } from "@/components/auth/fetch-json";
import { ChangeDeltas, type SelectedChange } from "@/components/policies/change-markers";
import { DryRunPanel } from "@/components/policies/dry-run-panel";
import { HistoryPanel } from "@/components/policies/history-panel";
import { PolicyEditor } from "@/components/policies/policy-editor";
import { PreviewPanel } from "@/components/policies/preview-panel";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { ErrorState } from "@/components/ui/states";
import type { PolicyView } from "@/lib/policies/http/policies-handlers";
import { KIND_LABELS, KINDS, type Kind } from "@/lib/policies/policy-text";
import { roleAtLeast, type Role } from "@/lib/projects/roles";

const policyUrl = (slug: string, kind: Kind) => `/api/v1/policies/${kind}?project=${encodeURIComponent(slug)}`;

/** Client half of the policies page: one kind at a time (tabs in the URL): editor, dry-run, history. */
export function PoliciesClient({ projectSlug, role, initial, pricedModels }: { projectSlug: string; role: Role; initial: Record<Kind, PolicyView>; pricedModels: string[] }) {
  const [kind, setKind] = useQueryState("kind", parseAsStringLiteral(KINDS).withDefault("routing"));
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ["policies", projectSlug, kind],
    queryFn: () => fetchJson<PolicyView>(policyUrl(projectSlug, kind)),
    initialData: initial[kind],
  });
  const canEdit = roleAtLeast(role, "editor");
  const [draftVersion] = useQueryState("draft", parseAsInteger);
  const openDraft = useQuery({
    queryKey: ["policy-draft", projectSlug, kind, draftVersion],
    queryFn: async () => {
      const h = await fetchJson<{ versions: { version: number; document: unknown; comment: string | null; live: boolean }[] }>(`/api/v1/policies/${kind}/versions?project=${encodeURIComponent(projectSlug)}&limit=500`);
      return h.versions.find((v) => v.version === draftVersion && !v.live) ?? null;
    },
    enabled: draftVersion !== null,
  });
  const [notice, setNotice] = useState<string | null>(null);
  const [draft, setDraft] = useState<unknown | null>(null);
  const [compare, setCompare] = useState<SelectedChange | null>(null);
  const onDraft = useCallback((d: unknown | null) => setDraft(d), []);
  const refresh = async (message: string) => {
    if (message) setNotice(message);
    await queryClient.invalidateQueries({ queryKey: ["policies", projectSlug, kind] });
  };

  return (
    <div className="flex max-w-7xl flex-col gap-4">
      <div className="flex items-center gap-3">
        <h1 className="text-xl font-semibold">Policies</h1>
        {!canEdit ? (
          <Badge tone="info" data-testid="policy-readonly">
            read-only: {role}
          </Badge>
        ) : null}
      </div>
      <div role="tablist" aria-label="Policy kind" className="flex gap-1 border-b border-[var(--border)]">
        {KINDS.map((k) => (
          <button
            key={k}
            role="tab"
            aria-selected={k === kind}
            data-testid={`policy-tab-${k}`}
            onClick={() => {
              setNotice(null);
              setDraft(null);
              void setKind(k);
            }}
            className={cn("-mb-px border-b-2 px-3 py-1.5 text-sm", k === kind ? "border-[var(--accent)] font-medium" : "border-transparent text-[var(--muted)]")}
          >
            {KIND_LABELS[k]}
          </button>
        ))}
      </div>
      {query.isError ? <ErrorState error={query.error} onRetry={() => void query.refetch()} /> : null}
      {notice ? (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300" data-testid="policy-notice">
          {notice}
        </p>
      ) : null}
      <div className="grid gap-4 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        {/* Keyed by kind only: a new live version must not throw away an edit in progress. */}
        {draftVersion !== null && openDraft.isLoading ? <p className="text-sm text-[var(--muted)]">Opening draft version {draftVersion}…</p> : null}
        {draftVersion !== null && openDraft.isSuccess && openDraft.data === null ? <p className="text-sm text-amber-700 dark:text-amber-300" data-testid="policy-draft-missing">Version {draftVersion} is not a draft of this policy (it is live, or does not exist).</p> : null}
        {draftVersion === null || !openDraft.isLoading ? (
        <PolicyEditor key={`${kind}-${openDraft.data?.version ?? "live"}`} openDraft={openDraft.data ?? null} projectSlug={projectSlug} kind={kind} view={query.data} canEdit={canEdit} pricedModels={pricedModels} onSaved={refresh} onDraft={onDraft} />
        ) : null}
        <div className="flex min-w-0 flex-col gap-4">
          <PreviewPanel key={`preview-${kind}`} projectSlug={projectSlug} kind={kind} draft={draft} />
          <DryRunPanel key={kind} projectSlug={projectSlug} kind={kind} draft={draft} />
          {compare ? <ChangeDeltas projectSlug={projectSlug} change={compare} onClose={() => setCompare(null)} /> : null}
          <HistoryPanel projectSlug={projectSlug} kind={kind} canEdit={canEdit} liveVersion={query.data.active.version} onChanged={refresh} onCompare={setCompare} />
        </div>
      </div>
    </div>
  );
}
