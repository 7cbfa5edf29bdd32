"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { ApiError, fetchJson } from "@/components/auth/fetch-json";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Input, Label } from "@/components/ui/input";
import { advisorLinkParts } from "@/lib/advisor/advisor-view";
import type { PolicyView } from "@/lib/policies/http/policies-handlers";
import { describeDiff, diffPolicies } from "@/lib/policies/policy-diff";
import { EMPTY_POLICIES, parsePolicyDocument } from "@/lib/policies/policy-document";
import { duplicateRule, moveItem, newRule, setIn, type Draft } from "@/lib/policies/policy-form";
import { reapplyEdit, type MergeConflict } from "@/lib/policies/rebase-edit";
import { isPendingDraft } from "@/lib/policies/version-status";
import { checkPolicyText, KIND_LABELS, prettyJson, type Issue, type Kind } from "@/lib/policies/policy-text";
import { unpricedModelWarnings } from "@/lib/policies/policy-warnings";
import { FieldIssues } from "./fields";
import { CacheSettingFields, ClientTtlField, MODELS_LIST, RoutingActionFields } from "./rule-fields";
import { RuleList } from "./rule-list";

type Props = {
  projectSlug: string;
  kind: Kind;
  view: PolicyView;
  canEdit: boolean;
  /** Models with a price row: the pickers' suggestions; others get a warning. */
  pricedModels: readonly string[];
  onSaved: (message: string) => Promise<void> | void;
  /** Hands the current draft (when valid) to the dry-run and preview panels. */
  onDraft: (draft: unknown | null) => void;
  /** A saved, not live version to open (?draft=N, e.g. made by the advisor's "Apply phase"). */
  openDraft?: { version: number; document: unknown; comment: string | null } | null;
};

type Stored = { baseVersion: number; text: string };
const draftKey = (slug: string, kind: Kind) => `pitwall.policy-draft.${slug}.${kind}`;

function readStored(slug: string, kind: Kind): Stored | null {
  try {
    const raw = window.localStorage.getItem(draftKey(slug, kind));
    const parsed = raw ? (JSON.parse(raw) as Stored) : null;
    return parsed && typeof parsed.text === "string" && typeof parsed.baseVersion === "number" ? parsed : null;
  } catch {
    return null;
  }
}

let keySeq = 0;
const freshKeys = (n: number) => Array.from({ length: n }, () => `k${keySeq++}`);

const conflictValue = (v: unknown) => (v === undefined ? "(none)" : JSON.stringify(v).slice(0, 120));

function asDraft(value: unknown): Draft | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Draft) : null;
}

/**
 * The form and JSON editors of one policy document, kept in sync: the form edits the document
 * object and re-renders the JSON; valid JSON typed in the JSON view becomes the document the form
 * shows. Both are checked with the API's own zod schema on every change.
 */
export function PolicyEditor({ projectSlug, kind, view, canEdit, pricedModels, onSaved, onDraft, openDraft }: Props) {
  const liveText = prettyJson(view.active.document);
  const [baseVersion, setBaseVersion] = useState(view.active.version);
  const startDoc = openDraft ? openDraft.document : view.active.document;
  const [text, setText] = useState(() => prettyJson(startDoc));
  const [doc, setDoc] = useState<Draft>(() => asDraft(startDoc) ?? {});
  const [keys, setKeys] = useState<string[]>(() => freshKeys(asDraft(startDoc)?.rules?.length ?? 0));
  const [mode, setMode] = useState<"form" | "json">("form");
  const [comment, setComment] = useState("");
  const [restored, setRestored] = useState<number | null>(null);
  const [conflict, setConflict] = useState<{ liveVersion: number } | null>(null);
  // Fields both this edit and the version it was rebased onto changed: the edit's value was kept.
  const [mergeConflicts, setMergeConflicts] = useState<{ onVersion: number; conflicts: MergeConflict[] } | null>(null);
  const restoredOnce = useRef(false);
  // Set by this editor's own save or activation: the live version it should start clean from.
  const adoptLive = useRef<number | null>(null);

  const loadText = (next: string, opts: { resetKeys?: boolean } = {}) => {
    setText(next);
    try {
      const parsed = asDraft(JSON.parse(next));
      if (parsed) {
        setDoc(parsed);
        const n = Array.isArray(parsed.rules) ? parsed.rules.length : 0;
        setKeys((k) => (opts.resetKeys || k.length !== n ? freshKeys(n) : k));
      }
    } catch {
      // Unparseable JSON stays in the JSON view with its error; the form keeps the last good document.
    }
  };

  // A draft kept in this browser comes back after a reload (once, on mount).
  useEffect(() => {
    if (restoredOnce.current || !canEdit) return;
    restoredOnce.current = true;
    // A saved draft version asked for by URL (the initial text) wins over the browser's own.
    if (openDraft) return;
    const stored = readStored(projectSlug, kind);
    if (stored && stored.text !== liveText) {
      // Restoring browser-only state has to wait for the client: localStorage is not on the server.
      // eslint-disable-next-line react-hooks/set-state-in-effect
      setBaseVersion(stored.baseVersion);
      loadText(stored.text, { resetKeys: true });
      setRestored(stored.baseVersion);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const dirty = text !== liveText || baseVersion !== view.active.version;
  const checked = useMemo(() => checkPolicyText(kind, text), [kind, text]);
  const issues: Issue[] = checked.ok ? [] : checked.issues;
  const parsed = useMemo(() => (checked.ok ? parsePolicyDocument(kind, checked.document) : null), [checked, kind]);
  const warnings = useMemo(() => {
    if (!parsed?.ok) return [];
    const priced = new Set(pricedModels);
    return unpricedModelWarnings(kind, parsed.document, (m) => priced.has(m));
  }, [parsed, kind, pricedModels]);
  const diff = useMemo(() => diffPolicies(kind, view.active.document, checked.ok ? checked.document : doc), [kind, view.active.document, checked, doc]);
  const diffLines = describeDiff(diff);

  useEffect(() => onDraft(checked.ok && dirty ? checked.document : null), [checked, dirty, onDraft]);

  // Keep the draft in this browser while it differs from the live version.
  useEffect(() => {
    if (!canEdit) return;
    try {
      if (text !== liveText) window.localStorage.setItem(draftKey(projectSlug, kind), JSON.stringify({ baseVersion, text } satisfies Stored));
      else window.localStorage.removeItem(draftKey(projectSlug, kind));
    } catch {
      // Storage full or disabled: the page still works, only without the reload safety net.
    }
  }, [text, liveText, baseVersion, projectSlug, kind, canEdit]);

  // Leaving (or reloading) with unsaved changes asks first.
  useEffect(() => {
    if (!dirty || !canEdit) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty, canEdit]);

  const editDoc = (next: Draft) => {
    setDoc(next);
    setText(prettyJson(next));
    setRestored(null);
    save.reset();
  };
  const rules = Array.isArray(doc.rules) ? doc.rules : [];
  const ids = rules.map((r) => String(r.id ?? ""));

  const save = useMutation({
    mutationFn: (document: unknown) =>
      fetchJson<{ version: number; warnings: Issue[] }>(`/api/v1/policies/${kind}?project=${encodeURIComponent(projectSlug)}`, {
        method: "PUT",
        headers: { "if-match": `"${baseVersion}"` },
        json: { document, comment: comment.trim() || undefined },
      }),
    onSuccess: async (saved) => {
      window.localStorage.removeItem(draftKey(projectSlug, kind));
      setComment("");
      setConflict(null);
      setMergeConflicts(null);
      adoptLive.current = saved.version;
      setBaseVersion(saved.version);
      await onSaved(`Saved version ${saved.version}; it is live now.`);
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 409) {
        const live = (err.details as { liveVersion?: number } | undefined)?.liveVersion ?? view.active.version;
        setConflict({ liveVersion: live });
      }
    },
  });
  const activateDraft = useMutation({
    mutationFn: () =>
      fetchJson<{ version: number }>(`/api/v1/policies/${kind}/activate?project=${encodeURIComponent(projectSlug)}`, { method: "POST", json: { version: openDraft!.version } }),
    onSuccess: async (done) => {
      window.localStorage.removeItem(draftKey(projectSlug, kind));
      adoptLive.current = done.version;
      setBaseVersion(done.version);
      await onSaved(`Version ${done.version} is live now.`);
    },
  });
  const serverIssues = save.error instanceof ApiError ? ((save.error.details as { issues?: Issue[] } | undefined)?.issues ?? []) : [];
  const allIssues = issues.length > 0 ? issues : serverIssues;

  // Rebase the edit onto the live version someone else saved (a 3-way merge against the version
  // the edit started from): it stays an unsaved edit, now on the new base.
  const reapply = useMutation({
    mutationFn: async () => {
      const live = await fetchJson<PolicyView>(`/api/v1/policies/${kind}?project=${encodeURIComponent(projectSlug)}`);
      return reapplyEdit(kind, { baseVersion, mine: checked.ok ? checked.document : doc, live, empty: EMPTY_POLICIES[kind] });
    },
    onSuccess: async (result) => {
      if (!result.ok) return;
      setBaseVersion(result.version);
      loadText(prettyJson(result.document), { resetKeys: true });
      setConflict(null);
      setRestored(null);
      setMergeConflicts(result.conflicts.length > 0 ? { onVersion: result.version, conflicts: result.conflicts } : null);
      save.reset();
      // The page's live view catches up; the edit is not replaced by it (adoptLive is not set).
      await onSaved("");
    },
  });

  // After this editor's own save or activation the live version catches up with the draft: start
  // clean from it. Only then: a live version someone else saved must not replace an edit.
  const shownLive = useRef(view.active.version);
  useEffect(() => {
    if (view.active.version === shownLive.current) return;
    shownLive.current = view.active.version;
    if (adoptLive.current === view.active.version) {
      adoptLive.current = null;
      // The saved document as stored (defaults filled in) becomes the editor's text.
      loadText(prettyJson(view.active.document), { resetKeys: true });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [view.active.version]);

  return (
    <Card className="flex flex-col gap-3" data-testid="policy-editor-card">
      <datalist id={MODELS_LIST}>
        {pricedModels.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span data-testid="policy-active">
          {view.active.version === 0 ? `No ${kind} policy saved yet: the default (${kind === "routing" ? "pass-through" : "response cache off"}) applies.` : `Live: version ${view.active.version}${view.active.activatedBy ? ` · by ${view.active.activatedBy}` : ""}`}
        </span>
        {dirty && canEdit ? <Badge tone="warn" data-testid="policy-dirty">unsaved changes</Badge> : null}
        <div role="tablist" aria-label="Editor view" className="ml-auto flex gap-1">
          {(["form", "json"] as const).map((m) => (
            <button
              key={m}
              role="tab"
              aria-selected={mode === m}
              data-testid={`policy-view-${m}`}
              onClick={() => setMode(m)}
              className={cn("rounded px-2 py-0.5 text-xs", mode === m ? "bg-[var(--accent)] text-white" : "border border-[var(--border)]")}
            >
              {m === "form" ? "Form" : "JSON"}
            </button>
          ))}
        </div>
      </div>
      {openDraft && isPendingDraft(openDraft, view.active.version) ? (
        <div role="status" className="flex flex-wrap items-center gap-2 text-sm text-sky-700 dark:text-sky-300" data-testid="policy-open-draft">
          <span>
            Draft version {openDraft.version} (saved, not live)
            {openDraft.comment ? ": " : ""}
            {advisorLinkParts(openDraft.comment ?? "").map((p, k) =>
              p.href ? (
                <Link key={k} href={p.href} className="underline" data-testid="policy-draft-finding-link">
                  {p.text}
                </Link>
              ) : (
                <span key={k}>{p.text}</span>
              ),
            )}
            .
          </span>
          {canEdit ? (
            <Button variant="primary" disabled={activateDraft.isPending || activateDraft.isSuccess} onClick={() => activateDraft.mutate()} data-testid="policy-activate-draft">
              {activateDraft.isSuccess ? `Version ${openDraft.version} is live` : `Make version ${openDraft.version} live`}
            </Button>
          ) : null}
        </div>
      ) : null}
      {restored !== null ? (
        <p role="status" className="text-sm text-amber-700 dark:text-amber-300" data-testid="policy-restored">
          Restored your unsaved draft (made on version {restored}).{" "}
          <button
            className="underline"
            onClick={() => {
              setBaseVersion(view.active.version);
              loadText(liveText, { resetKeys: true });
              setRestored(null);
            }}
          >
            Discard it
          </button>
        </p>
      ) : null}

      {mode === "form" ? (
        <div className="flex flex-col gap-3">
          {rules.length === 0 ? <p className="text-sm text-[var(--muted)]">No rules: every request gets the default below.</p> : null}
          <RuleList
            kind={kind}
            rules={rules}
            keys={keys.length === rules.length ? keys : freshKeys(rules.length)}
            issues={allIssues}
            readOnly={!canEdit}
            onEdit={(i, path, value) => editDoc(setIn(doc, ["rules", i, ...path], value))}
            onMove={(from, to) => {
              setKeys((k) => moveItem(k, from, to));
              editDoc({ ...doc, rules: moveItem(rules, from, to) });
            }}
            onDuplicate={(i) => {
              setKeys((k) => [...k.slice(0, i + 1), ...freshKeys(1), ...k.slice(i + 1)]);
              editDoc({ ...doc, rules: [...rules.slice(0, i + 1), duplicateRule(rules[i]!, ids), ...rules.slice(i + 1)] });
            }}
            onDelete={(i) => {
              setKeys((k) => k.filter((_, j) => j !== i));
              editDoc({ ...doc, rules: rules.filter((_, j) => j !== i) });
            }}
          />
          <FieldIssues issues={allIssues.filter((i) => i.path === "rules" || i.path === "")} />
          {canEdit ? (
            <div>
              <Button
                data-testid="policy-add-rule"
                onClick={() => {
                  setKeys((k) => [...k, ...freshKeys(1)]);
                  editDoc({ ...doc, rules: [...rules, newRule(kind, ids)] });
                }}
              >
                + Add rule
              </Button>
            </div>
          ) : null}
          <fieldset className="rounded-md border border-dashed border-[var(--border)] p-3">
            <legend className="px-1 text-xs font-semibold uppercase tracking-wide text-[var(--muted)]">Default (no rule matched)</legend>
            {kind === "routing" ? (
              <RoutingActionFields value={doc.default ?? {}} at="default" issues={allIssues} edit={(path, value) => editDoc(setIn(doc, ["default", ...path], value))} readOnly={!canEdit} testId="policy-default" />
            ) : (
              <CacheSettingFields value={doc.default ?? { ttlSec: 0 }} at="default" issues={allIssues} edit={(path, value) => editDoc(setIn(doc, ["default", ...path], value))} readOnly={!canEdit} testId="policy-default" />
            )}
          </fieldset>
          {kind === "cache" ? <ClientTtlField value={doc.clientTtl} issues={allIssues} edit={(value) => editDoc(setIn(doc, ["clientTtl"], value))} readOnly={!canEdit} /> : null}
        </div>
      ) : (
        <div>
          <textarea
            data-testid="policy-editor"
            aria-label={`${KIND_LABELS[kind]} (JSON)`}
            aria-invalid={issues.length > 0}
            readOnly={!canEdit}
            spellCheck={false}
            value={text}
            onChange={(e) => {
              loadText(e.target.value);
              setRestored(null);
              save.reset();
            }}
            className={cn("h-[28rem] w-full resize-y rounded-md border bg-[var(--background)] p-3 font-mono text-xs leading-5", issues.length > 0 ? "border-red-500" : "border-[var(--border)]")}
          />
        </div>
      )}

      <div aria-live="polite">
        {allIssues.length > 0 ? (
          <ul data-testid="policy-errors" className="list-disc space-y-0.5 pl-5 text-sm text-red-700 dark:text-red-300">
            {allIssues.map((i, n) => (
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
        {warnings.length > 0 ? (
          <ul data-testid="policy-warnings" className="mt-1 list-disc pl-5 text-sm text-amber-700 dark:text-amber-300">
            {warnings.map((w, n) => (
              <li key={n}>
                <code className="font-mono">{w.path}</code>: {w.message}
              </li>
            ))}
          </ul>
        ) : null}
      </div>

      {canEdit && dirty ? (
        <div className="rounded-md border border-[var(--border)] p-2" data-testid="policy-diff">
          <div className="mb-1 text-xs font-semibold uppercase tracking-wide text-[var(--muted)]">Changes against live version {view.active.version}</div>
          {diffLines.length === 0 ? (
            <p className="text-sm text-[var(--muted)]">No change in meaning (only formatting).</p>
          ) : (
            <ul className="list-disc pl-5 text-sm">
              {diffLines.map((l, n) => (
                <li key={n}>{l}</li>
              ))}
            </ul>
          )}
        </div>
      ) : null}

      {conflict ? (
        <div role="alert" className="rounded-md border border-amber-400 bg-amber-50 p-2 text-sm dark:bg-amber-900/20" data-testid="policy-conflict">
          Someone saved version {conflict.liveVersion} while you were editing version {baseVersion}. Your edit is kept.{" "}
          <Button data-testid="policy-reapply" disabled={reapply.isPending} onClick={() => reapply.mutate()}>
            {reapply.isPending ? "Reapplying…" : "Reload live version and reapply my edit"}
          </Button>
          {reapply.data && !reapply.data.ok ? <p className="mt-1 text-red-700 dark:text-red-300">{reapply.data.message}</p> : null}
          {reapply.error ? <p className="mt-1 text-red-700 dark:text-red-300">{reapply.error.message}</p> : null}
        </div>
      ) : null}
      {mergeConflicts ? (
        <div role="alert" className="rounded-md border border-amber-400 bg-amber-50 p-2 text-sm dark:bg-amber-900/20" data-testid="policy-merge-conflicts">
          Your edit is reapplied on version {mergeConflicts.onVersion}, but you both changed {mergeConflicts.conflicts.length === 1 ? "this" : "these"}; your value is kept, check before saving:
          <ul className="list-disc pl-5">
            {mergeConflicts.conflicts.map((c) => (
              <li key={c.path}>
                {c.label}: yours <code className="font-mono">{conflictValue(c.mine)}</code>, version {mergeConflicts.onVersion}: <code className="font-mono">{conflictValue(c.theirs)}</code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {canEdit ? (
        <div className="flex flex-wrap items-end gap-2">
          <div className="min-w-48 flex-1">
            <Label htmlFor={`policy-comment-${kind}`}>Message</Label>
            <Input id={`policy-comment-${kind}`} data-testid="policy-comment" value={comment} maxLength={500} placeholder="What changed and why (optional)" onChange={(e) => setComment(e.target.value)} />
          </div>
          <Button variant="primary" data-testid="policy-save" disabled={!checked.ok || !dirty || diff.unchanged || save.isPending || conflict !== null} onClick={() => checked.ok && save.mutate(checked.document)}>
            {save.isPending ? "Saving…" : "Save as new version"}
          </Button>
        </div>
      ) : (
        <p className="text-sm text-[var(--muted)]">Read-only. Ask an editor to change this policy.</p>
      )}
      {save.error && !(save.error instanceof ApiError && save.error.status === 409) && serverIssues.length === 0 ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {save.error.message}
        </p>
      ) : null}
    </Card>
  );
}
