"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FormError, FormField } from "@/components/auth/form-field";
import { fetchJson } from "@/components/auth/fetch-json";
import { SLUG_PATTERN } from "@/lib/projects/slug-rule";

export function NewProjectForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const name = String(form.get("name") || "").trim();
      const res = await fetchJson<{ project: { slug: string } }>("/api/v1/projects", {
        method: "POST",
        json: { slug: String(form.get("slug")), ...(name ? { name } : {}) },
      });
      router.push(`/p/${res.project.slug}/settings`);
    } catch (err) {
      setError(err instanceof Error ? err.message : "Could not create the project.");
      setBusy(false);
    }
  };
  return (
    <Card>
      <form onSubmit={(e) => void submit(e)} className="space-y-4" data-testid="new-project-form">
        <FormField id="name" label="Name" maxLength={100} placeholder="Checkout agents" />
        <FormField id="slug" label="Slug (in URLs, cannot change)" required pattern={SLUG_PATTERN} placeholder="checkout" hint="Lowercase letters, digits and dashes." />
        <FormError message={error} />
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? "Creating…" : "Create project"}
        </Button>
      </form>
    </Card>
  );
}
