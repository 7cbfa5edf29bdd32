"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FormError, FormField } from "@/components/auth/form-field";
import { ApiError, fetchJson } from "@/components/auth/fetch-json";

export function SignInForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setError(null);
    setBusy(true);
    try {
      await fetchJson("/api/auth/sign-in/email", { method: "POST", json: { email: String(form.get("email")), password: String(form.get("password")) } });
      window.location.assign(next);
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  };

  return (
    <Card>
      <form onSubmit={(e) => void submit(e)} className="space-y-4" data-testid="sign-in-form">
        <FormField id="email" label="Email" type="email" required autoComplete="username" autoFocus />
        <FormField id="password" label="Password" type="password" required autoComplete="current-password" />
        <FormError message={error} />
        <Button type="submit" variant="primary" disabled={busy} className="w-full">
          {busy ? "Signing in…" : "Sign in"}
        </Button>
      </form>
    </Card>
  );
}

function describe(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return "Wrong email or password.";
    if (err.status === 429) return `Too many attempts. Try again in ${err.retryAfter ?? 60} seconds.`;
    return err.message;
  }
  return "Could not reach Pitwall. Check your connection and try again.";
}
