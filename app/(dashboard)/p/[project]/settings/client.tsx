"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { FormError, FormField } from "@/components/auth/form-field";
import { fetchJson } from "@/components/auth/fetch-json";

type Values = { name: string; rateLimitPerSecond: number; rateLimitBurst: number };

export function SettingsForm({ projectSlug, canEdit, initial }: { projectSlug: string; canEdit: boolean; initial: Values }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await fetchJson(`/api/v1/projects/${encodeURIComponent(projectSlug)}`, {
        method: "PATCH",
        json: {
          name: String(form.get("name")),
          settings: { rateLimitPerSecond: Number(form.get("rateLimitPerSecond")), rateLimitBurst: Number(form.get("rateLimitBurst")) },
        },
      });
      setSaved(true);
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Could not save.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card className="space-y-3">
      <CardTitle>Project</CardTitle>
      {!canEdit ? <p className="text-sm text-[var(--muted)]">Read-only: only admins change settings.</p> : null}
      <form onSubmit={(e) => void submit(e)} className="max-w-md space-y-4" data-testid="settings-form">
        <fieldset disabled={!canEdit || busy} className="space-y-4">
          <FormField id="name" label="Name" required maxLength={100} defaultValue={initial.name} />
          <p className="text-sm text-[var(--muted)]">
            Slug: <code>{projectSlug}</code> (part of every URL; it does not change).
          </p>
          <FormField
            id="rateLimitPerSecond"
            label="Requests per second per API key"
            type="number"
            min={0}
            step={1}
            required
            defaultValue={initial.rateLimitPerSecond}
            hint="Applies to ingestion and the gateway; 0 turns the limit off. Over it, callers get 429 with Retry-After."
          />
          <FormField
            id="rateLimitBurst"
            label="Burst per key (extra requests per 10 s)"
            type="number"
            min={0}
            step={1}
            required
            defaultValue={initial.rateLimitBurst}
          />
        </fieldset>
        <FormError message={error} />
        {saved ? (
          <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300" data-testid="settings-saved">
            Saved.
          </p>
        ) : null}
        {canEdit ? (
          <Button type="submit" variant="primary" disabled={busy} data-testid="save-settings">
            {busy ? "Saving…" : "Save"}
          </Button>
        ) : null}
      </form>
    </Card>
  );
}
