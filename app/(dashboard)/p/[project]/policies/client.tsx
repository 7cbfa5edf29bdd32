"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { parseAsStringLiteral, useQueryState } from "nuqs";
import { useMemo, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Input, Label } from "@/components/ui/input";
import { ErrorState } from "@/components/ui/states";
import { ApiError, fetchJson } from "@/components/auth/fetch-json";
import { Table, Td, Th } from "@/components/ui/table";
import type { PolicyView } from "@/lib/policies/http/policies-handlers";
import { checkPolicyText, formatWhen, KIND_LABELS, KINDS, prettyJson, type Issue, type Kind } from "@/lib/policies/policy-text";

type Role = "viewer" | "editor" | "admin";

/** The zod issues a 400 from the policies API carries under error.details.issues. */
function serverIssuesOf(error: unknown): Issue[] {
  return error instanceof ApiError ? ((error.details as { issues?: Issue[] } | undefined)?.issues ?? []) : [];
}

const policyUrl = (slug: string, kind: Kind, suffix = "") => `/api/v1/policies/${kind}${suffix}?project=${encodeURIComponent(slug)}`;

/** Client half of the policies page: one kind at a time (tabs in the URL), editor + versions. */
export function PoliciesClient({ projectSlug, role, initial }: { projectSlug: string; role: Role; initial: Record<Kind, PolicyView> }) {
  const [kind, setKind] = useQueryState("kind", parseAsStringLiteral(KINDS).withDefault("routing"));
  const query = useQuery({
    queryKey: ["policies", projectSlug, kind],
    queryFn: () => fetchJson<PolicyView>(policyUrl(projectSlug, kind)),
    initialData: initial[kind],
  });
  const canEdit = role !== "viewer";
  // Lives above the panel, which remounts when a new version goes live.
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <div className="flex max-w-5xl flex-col gap-4">
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
              void setKind(k);
            }}
            className={cn("-mb-px border-b-2 px-3 py-1.5 text-sm", k === kind ? "border-[var(--accent)] font-medium" : "border-transparent text-[var(--muted)]")}
          >
            {KIND_LABELS[k]}
          </button>
        ))}
      </div>
      {query.isError ? <ErrorState error={query.error} onRetry={() => void query.refetch()} /> : null}
      {/* Keyed so switching kind or a new live version resets the editor's text. */}
      <PolicyPanel
        key={`${kind}:${query.data.active.version}`}
        projectSlug={projectSlug}
        kind={kind}
        view={query.data}
        canEdit={canEdit}
        role={role}
        notice={notice}
        setNotice={setNotice}
      />
    </div>
  );
}

type PanelProps = {
  projectSlug: string;
  kind: Kind;
  view: PolicyView;
  canEdit: boolean;
  role: Role;
  notice: string | null;
  setNotice: (notice: string | null) => void;
};

function PolicyPanel({ projectSlug, kind, view, canEdit, role, notice, setNotice }: PanelProps) {
  const queryClient = useQueryClient();
  const activeText = prettyJson(view.active.document);
  const [text, setText] = useState(activeText);
  const [shownVersion, setShownVersion] = useState(view.active.version);
  const [comment, setComment] = useState("");
  const checked = useMemo(() => checkPolicyText(kind, text), [kind, text]);

  const refresh = () => queryClient.invalidateQueries({ queryKey: ["policies", projectSlug, kind] });
  const save = useMutation({
    mutationFn: (document: unknown) =>
      fetchJson<{ version: number }>(policyUrl(projectSlug, kind), { method: "POST", json: { document, comment: comment.trim() || undefined } }),
    onSuccess: async (saved) => {
      setComment("");
      setNotice(`Saved version ${saved.version}; it is live now.`);
      await refresh();
    },
  });
  const activate = useMutation({
    mutationFn: (version: number) => fetchJson<{ version: number }>(policyUrl(projectSlug, kind, "/activate"), { method: "POST", json: { version } }),
    onSuccess: async (res) => {
      setNotice(`Version ${res.version} is live now.`);
      await refresh();
    },
  });

  const serverIssues = serverIssuesOf(save.error);
  const issues = checked.ok ? serverIssues : checked.issues;
  const dirty = text !== activeText;
  const error = save.error ?? activate.error;

  return (
    <div className="grid gap-4 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <Card className="flex flex-col gap-3">
        <div className="flex flex-wrap items-baseline gap-2 text-sm">
          {view.active.version === 0 ? (
            <span data-testid="policy-active">No {kind} policy saved yet: the default ({kind === "routing" ? "pass-through" : "response cache off"}) applies.</span>
          ) : (
            <span data-testid="policy-active">
              Live: version {view.active.version}
              {view.active.activatedBy ? ` · activated by ${view.active.activatedBy}` : ""}
              {view.active.activatedAt ? ` · ${formatWhen(view.active.activatedAt)}` : ""}
            </span>
          )}
          {shownVersion !== view.active.version ? (
            <Badge tone="warn">
              showing version {shownVersion}
              <button
                className="ml-2 underline"
                onClick={() => {
                  setText(activeText);
                  setShownVersion(view.active.version);
                }}
              >
                back to live
              </button>
            </Badge>
          ) : null}
        </div>
        <textarea
          data-testid="policy-editor"
          aria-label={`${KIND_LABELS[kind]} (JSON)`}
          aria-invalid={issues.length > 0}
          aria-describedby="policy-issues"
          readOnly={!canEdit}
          spellCheck={false}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setNotice(null);
            save.reset();
          }}
          className={cn(
            "h-[28rem] w-full resize-y rounded-md border bg-[var(--background)] p-3 font-mono text-xs leading-5",
            issues.length > 0 ? "border-red-500" : "border-[var(--border)]",
            !canEdit && "opacity-90",
          )}
        />
        <div id="policy-issues" aria-live="polite">
          {issues.length > 0 ? (
            <ul data-testid="policy-errors" className="list-disc space-y-0.5 pl-5 text-sm text-red-700 dark:text-red-300">
              {issues.map((i, n) => (
                <li key={n}>
                  {i.path ? <code className="font-mono">{i.path}</code> : null}
                  {i.path ? ": " : ""}
                  {i.message}
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-sm text-[var(--muted)]" data-testid="policy-valid">
              Valid {kind} policy.
            </p>
          )}
        </div>
        {canEdit ? (
          <div className="flex flex-wrap items-end gap-2">
            <div className="min-w-48 flex-1">
              <Label htmlFor="policy-comment">Comment</Label>
              <Input id="policy-comment" value={comment} maxLength={500} placeholder="What changed and why (optional)" onChange={(e) => setComment(e.target.value)} />
            </div>
            <Button
              variant="primary"
              data-testid="policy-save"
              disabled={!checked.ok || !dirty || save.isPending}
              onClick={() => checked.ok && save.mutate(checked.document)}
            >
              {save.isPending ? "Saving…" : "Save as new version"}
            </Button>
          </div>
        ) : (
          <p className="text-sm text-[var(--muted)]">read-only: {role}. Ask an editor to change this policy.</p>
        )}
        {notice ? (
          <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300" data-testid="policy-notice">
            {notice}
          </p>
        ) : null}
        {error && serverIssuesOf(error).length === 0 ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">
            {error.message}
          </p>
        ) : null}
      </Card>
      <div className="flex flex-col gap-2">
        <h2 className="text-sm font-medium text-[var(--muted)]">Versions</h2>
        {view.versions.length === 0 ? (
          <p className="text-sm text-[var(--muted)]">No versions yet.</p>
        ) : (
          <Table data-testid="policy-versions">
            <thead>
              <tr>
                <Th>Version</Th>
                <Th>Saved</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody>
              {view.versions.map((v) => (
                <tr key={v.version} data-testid={`policy-version-${v.version}`}>
                  <Td>
                    v{v.version}
                    {v.comment ? <div className="max-w-48 truncate text-xs text-[var(--muted)]" title={v.comment}>{v.comment}</div> : null}
                  </Td>
                  <Td>
                    <div className="max-w-44 truncate" title={v.createdBy ?? undefined}>
                      {v.createdBy ?? "—"}
                    </div>
                    <div className="whitespace-nowrap text-xs text-[var(--muted)]">{formatWhen(v.createdAt)}</div>
                  </Td>
                  <Td className="whitespace-nowrap text-right">
                    {v.version === view.active.version ? (
                      <Badge tone="good">live</Badge>
                    ) : (
                      <span className="flex justify-end gap-1">
                        <Button
                          variant="ghost"
                          onClick={() => {
                            setText(prettyJson(v.document));
                            setShownVersion(v.version);
                          }}
                        >
                          View
                        </Button>
                        {canEdit ? (
                          <Button data-testid={`policy-activate-${v.version}`} disabled={activate.isPending} onClick={() => activate.mutate(v.version)}>
                            Activate
                          </Button>
                        ) : null}
                      </span>
                    )}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </div>
    </div>
  );
}
