"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { FormError, FormField } from "@/components/auth/form-field";
import { ApiError, fetchJson } from "@/components/auth/fetch-json";

export function ChangePasswordForm() {
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const newPassword = String(form.get("newPassword"));
    if (newPassword !== String(form.get("confirm"))) {
      setError("The two new passwords differ.");
      return;
    }
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await fetchJson("/api/auth/change-password", {
        method: "POST",
        json: { currentPassword: String(form.get("currentPassword")), newPassword, revokeOtherSessions: form.get("revokeOthers") === "on" },
      });
      formEl.reset();
      setDone(true);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 400 && /password/i.test(err.message) ? err.message : err instanceof Error ? err.message : "Could not change the password.");
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="space-y-4" data-testid="change-password-form">
      <FormField id="currentPassword" label="Current password" type="password" required autoComplete="current-password" />
      <FormField id="newPassword" label="New password" type="password" required minLength={10} maxLength={128} autoComplete="new-password" hint="At least 10 characters." />
      <FormField id="confirm" label="Confirm new password" type="password" required minLength={10} maxLength={128} autoComplete="new-password" />
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="revokeOthers" defaultChecked /> Sign out my other sessions
      </label>
      <FormError message={error} />
      {done ? (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300" data-testid="password-changed">
          Password changed.
        </p>
      ) : null}
      <Button type="submit" variant="primary" disabled={busy}>
        {busy ? "Saving…" : "Change password"}
      </Button>
    </form>
  );
}
