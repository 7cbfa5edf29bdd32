"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FormError, FormField } from "@/components/auth/form-field";
import { fetchJson } from "@/components/auth/fetch-json";

type Accepted = { redirectTo: string };

export function AcceptAsUser({ token, email }: { token: string; email: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const accept = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await fetchJson<Accepted>("/api/v1/members/invites/accept", { method: "POST", json: { token } });
      window.location.assign(res.redirectTo);
    } catch (err) {
      setError(err instanceof Error ? err.message : "Could not accept the invitation.");
      setBusy(false);
    }
  };
  return (
    <Card className="space-y-3">
      <p className="text-sm">
        Signed in as <strong>{email}</strong>.
      </p>
      <FormError message={error} />
      <Button variant="primary" onClick={() => void accept()} disabled={busy} data-testid="accept-invite">
        {busy ? "Joining…" : "Accept invitation"}
      </Button>
    </Card>
  );
}

export function AcceptWithAccount({ token, email }: { token: string; email: string | null }) {
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
    setBusy(true);
    setError(null);
    try {
      const res = await fetchJson<Accepted>("/api/v1/members/invites/accept", {
        method: "POST",
        json: { token, name: String(form.get("name")), email: email ?? String(form.get("email")), password },
      });
      window.location.assign(res.redirectTo);
    } catch (err) {
      setError(err instanceof Error ? err.message : "Could not create the account.");
      setBusy(false);
    }
  };
  return (
    <Card>
      <form onSubmit={(e) => void submit(e)} className="space-y-4" data-testid="invite-form">
        <FormField id="name" label="Your name" required maxLength={100} autoComplete="name" />
        <FormField id="email" label="Email" type="email" required maxLength={254} autoComplete="email" defaultValue={email ?? undefined} readOnly={Boolean(email)} />
        <FormField id="password" label="Password" type="password" required minLength={10} maxLength={128} autoComplete="new-password" hint="At least 10 characters." />
        <FormField id="confirm" label="Confirm password" type="password" required minLength={10} maxLength={128} autoComplete="new-password" />
        <FormError message={error} />
        <Button type="submit" variant="primary" disabled={busy} className="w-full">
          {busy ? "Creating account…" : "Create account and join"}
        </Button>
      </form>
    </Card>
  );
}
