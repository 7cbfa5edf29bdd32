"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FormError, FormField } from "@/components/auth/form-field";
import { fetchJson } from "@/components/auth/fetch-json";

export function SetupForm({ existingProjects }: { existingProjects: string[] }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = String(form.get("password"));
    if (password !== String(form.get("confirm"))) {
      setError("The two passwords differ.");
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const body = {
        name: String(form.get("name")),
        email: String(form.get("email")),
        password,
        ...(existingProjects.length === 0 ? { projectSlug: String(form.get("project") || "default") } : {}),
      };
      const res = await fetchJson<{ redirectTo: string }>("/api/v1/setup", { method: "POST", json: body });
      window.location.assign(res.redirectTo);
    } catch (err) {
      setError(err instanceof Error ? err.message : "Setup failed.");
      setBusy(false);
    }
  };

  return (
    <Card>
      <form onSubmit={(e) => void submit(e)} className="space-y-4" data-testid="setup-form">
        <FormField id="name" label="Your name" required maxLength={100} autoComplete="name" />
        <FormField id="email" label="Email" type="email" required maxLength={254} autoComplete="email" />
        <FormField id="password" label="Password" type="password" required minLength={10} maxLength={128} autoComplete="new-password" hint="At least 10 characters." />
        <FormField id="confirm" label="Confirm password" type="password" required minLength={10} maxLength={128} autoComplete="new-password" />
        {existingProjects.length === 0 ? (
          <FormField id="project" label="First project (slug)" defaultValue="default" pattern="[a-z0-9][a-z0-9-]{0,62}" hint="Lowercase letters, digits and dashes." />
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
