"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FormError } from "@/components/auth/form-field";
import { fetchJson } from "@/components/auth/fetch-json";
import { NewAccountFields, useNewAccountSubmit } from "@/components/auth/new-account-form";

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
  const { submit, error, busy } = useNewAccountSubmit(
    ({ name, email: typed, password }) =>
      fetchJson<Accepted>("/api/v1/members/invites/accept", { method: "POST", json: { token, name, email: email ?? typed, password } }),
    "Could not create the account.",
  );
  return (
    <Card>
      <form onSubmit={(e) => void submit(e)} className="space-y-4" data-testid="invite-form">
        <NewAccountFields email={email} />
        <FormError message={error} />
        <Button type="submit" variant="primary" disabled={busy} className="w-full">
          {busy ? "Creating account…" : "Create account and join"}
        </Button>
      </form>
    </Card>
  );
}
