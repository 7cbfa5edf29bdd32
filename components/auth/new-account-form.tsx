"use client";

import { useState } from "react";
import { FormField } from "./form-field";

export type NewAccount = { form: FormData; name: string; email: string; password: string };

/**
 * Submit handling for the forms that create an account (setup, invitation): checks that the two
 * passwords match, posts, and follows the server's redirect; a failure shows and re-enables.
 */
export function useNewAccountSubmit(post: (account: NewAccount) => Promise<{ redirectTo: string }>, failure: string) {
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
      const res = await post({ form, name: String(form.get("name")), email: String(form.get("email")), password });
      window.location.assign(res.redirectTo);
    } catch (err) {
      setError(err instanceof Error ? err.message : failure);
      setBusy(false);
    }
  };
  return { submit, error, busy };
}

/** Name, email, password and its confirmation, with the bounds the server enforces. */
export function NewAccountFields({ email }: { email?: string | null }) {
  return (
    <>
      <FormField id="name" label="Your name" required maxLength={100} autoComplete="name" />
      <FormField id="email" label="Email" type="email" required maxLength={254} autoComplete="email" defaultValue={email ?? undefined} readOnly={Boolean(email)} />
      <FormField id="password" label="Password" type="password" required minLength={10} maxLength={128} autoComplete="new-password" hint="At least 10 characters." />
      <FormField id="confirm" label="Confirm password" type="password" required minLength={10} maxLength={128} autoComplete="new-password" />
    </>
  );
}
