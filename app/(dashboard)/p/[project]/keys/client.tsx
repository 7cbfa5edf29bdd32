"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/input";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Table, Td, Th } from "@/components/ui/table";
import { FormError } from "@/components/auth/form-field";
import { fetchJson } from "@/components/auth/fetch-json";
import { CopyButton } from "@/components/auth/copy-button";
import { formatUtc } from "@/lib/metrics/format";

export type KeyRow = {
  id: string;
  name: string;
  displayPrefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdByEmail: string | null;
};

const SCOPES = [
  { id: "ingest", label: "Ingest events" },
  { id: "gateway", label: "Gateway (proxy model calls)" },
  { id: "metrics:read", label: "Read metrics" },
] as const;

export function KeysClient({ projectSlug, initial }: { projectSlug: string; initial: KeyRow[] }) {
  const queryClient = useQueryClient();
  const queryKey = ["keys", projectSlug];
  const keys = useQuery({
    queryKey,
    queryFn: () => fetchJson<{ keys: KeyRow[] }>(`/api/v1/keys?project=${encodeURIComponent(projectSlug)}`).then((r) => r.keys),
    initialData: initial,
  });
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  const create = useMutation({
    mutationFn: (body: { name: string; scopes: string[] }) =>
      fetchJson<{ key: { name: string }; secret: string }>(`/api/v1/keys?project=${encodeURIComponent(projectSlug)}`, { method: "POST", json: body }),
    onSuccess: (res) => {
      setCreated({ name: res.key.name, secret: res.secret });
      void queryClient.invalidateQueries({ queryKey });
    },
    onError: (err) => setFormError(err.message),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => fetchJson(`/api/v1/keys/${id}?project=${encodeURIComponent(projectSlug)}`, { method: "DELETE" }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey }),
  });

  const submit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const scopes = SCOPES.map((s) => s.id).filter((id) => form.get(`scope-${id}`) === "on");
    setFormError(null);
    setCreated(null);
    create.mutate({ name: String(form.get("name")), scopes });
  };

  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">API keys</h1>
      <Card className="space-y-4">
        <CardTitle>Create a key</CardTitle>
        <form onSubmit={submit} className="flex flex-wrap items-end gap-4" data-testid="create-key-form">
          <div className="min-w-56 flex-1">
            <Label htmlFor="key-name">Name</Label>
            <Input id="key-name" name="name" required maxLength={100} placeholder="checkout-service (prod)" />
          </div>
          <fieldset className="flex flex-wrap gap-3 text-sm">
            <legend className="mb-1 text-sm font-medium">Scopes</legend>
            {SCOPES.map((s) => (
              <label key={s.id} className="flex items-center gap-1.5">
                <input type="checkbox" name={`scope-${s.id}`} defaultChecked={s.id !== "metrics:read"} data-testid={`scope-${s.id}`} /> {s.label}
              </label>
            ))}
          </fieldset>
          <Button type="submit" variant="primary" disabled={create.isPending} data-testid="create-key">
            {create.isPending ? "Creating…" : "Create key"}
          </Button>
        </form>
        <FormError message={formError} />
        {created ? (
          <div className="space-y-2 rounded-md border border-amber-500/40 bg-amber-500/10 p-3" data-testid="new-key">
            <p className="text-sm font-medium">Copy the key for “{created.name}” now: it is shown only once.</p>
            <div className="flex items-center gap-2">
              <code className="flex-1 overflow-x-auto rounded bg-[var(--background)] px-2 py-1 font-mono text-sm" data-testid="new-key-secret">
                {created.secret}
              </code>
              <CopyButton text={created.secret} />
            </div>
          </div>
        ) : null}
      </Card>

      {keys.isError ? <ErrorState error={keys.error} onRetry={() => void keys.refetch()} /> : null}
      {keys.data.length === 0 ? (
        <EmptyState title="No keys yet" hint="Create one above to send events or use the gateway." />
      ) : (
        <Table data-testid="keys-table">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Key</Th>
              <Th>Scopes</Th>
              <Th>Created</Th>
              <Th>Last used</Th>
              <Th>Status</Th>
              <Th />
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.id} data-testid="key-row">
                <Td>{k.name}</Td>
                <Td className="font-mono">{k.displayPrefix}</Td>
                <Td>
                  <span className="flex flex-wrap gap-1">
                    {k.scopes.map((s) => (
                      <Badge key={s} tone="info">
                        {s}
                      </Badge>
                    ))}
                  </span>
                </Td>
                <Td title={k.createdByEmail ? `by ${k.createdByEmail}` : undefined}>{formatUtc(k.createdAt)}</Td>
                <Td>{k.lastUsedAt ? formatUtc(k.lastUsedAt) : "never"}</Td>
                <Td>{k.revokedAt ? <Badge tone="bad">revoked</Badge> : <Badge tone="good">active</Badge>}</Td>
                <Td>
                  {k.revokedAt ? null : (
                    <Button
                      variant="danger"
                      disabled={revoke.isPending}
                      onClick={() => {
                        if (window.confirm(`Revoke “${k.name}”? Anything using it stops working within seconds.`)) revoke.mutate(k.id);
                      }}
                      data-testid="revoke-key"
                    >
                      Revoke
                    </Button>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {revoke.isError ? <FormError message={revoke.error.message} /> : null}
    </div>
  );
}
