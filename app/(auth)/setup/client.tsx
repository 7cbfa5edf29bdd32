"use client";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FormError, FormField } from "@/components/auth/form-field";
import { fetchJson } from "@/components/auth/fetch-json";
import { NewAccountFields, useNewAccountSubmit } from "@/components/auth/new-account-form";
import { SLUG_PATTERN } from "@/lib/projects/slug-rule";

export function SetupForm({ existingProjects, needsToken, initialToken }: { existingProjects: string[]; needsToken: boolean; initialToken: string }) {
  const { submit, error, busy } = useNewAccountSubmit(
    ({ form, name, email, password }) =>
      fetchJson<{ redirectTo: string }>("/api/v1/setup", {
        method: "POST",
        json: {
          name,
          email,
          password,
          ...(needsToken ? { setupToken: String(form.get("setupToken") ?? "").trim() } : {}),
          ...(existingProjects.length === 0 ? { projectSlug: String(form.get("project") || "default") } : {}),
        },
      }),
    "Setup failed.",
  );

  return (
    <Card>
      <form onSubmit={(e) => void submit(e)} className="space-y-4" data-testid="setup-form">
        {needsToken ? (
          <FormField
            id="setupToken"
            label="Setup token"
            required
            maxLength={200}
            autoComplete="off"
            spellCheck={false}
            defaultValue={initialToken}
            hint="Proves you run this server: Pitwall prints it in its log at start (“Setup token: …”) and writes it to the file setup-token in its data directory."
          />
        ) : (
          <p className="text-sm text-[var(--muted)]">Setup is open to this machine only (PITWALL_SETUP_ACCESS=loopback).</p>
        )}
        <NewAccountFields />
        {existingProjects.length === 0 ? (
          <FormField id="project" label="First project (slug)" defaultValue="default" pattern={SLUG_PATTERN} hint="Lowercase letters, digits and dashes." />
        ) : (
          <p className="text-sm text-[var(--muted)]">
            You will be admin of: <strong>{existingProjects.join(", ")}</strong>.
          </p>
        )}
        <FormError message={error} />
        <Button type="submit" variant="primary" disabled={busy} className="w-full">
          {busy ? "Creating…" : "Create admin account"}
        </Button>
      </form>
    </Card>
  );
}
