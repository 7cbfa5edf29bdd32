"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/input";
import { ErrorState } from "@/components/ui/states";
import { Table, Td, Th } from "@/components/ui/table";
import { FormError } from "@/components/auth/form-field";
import { fetchJson } from "@/components/auth/fetch-json";
import { CopyButton } from "@/components/auth/copy-button";
import { formatUtc } from "@/lib/metrics/format";
import { isRole, ROLES, type Role } from "@/lib/projects/roles";

export type MemberRow = { userId: string; email: string; name: string; role: Role; since: string };
export type InviteRow = { id: string; role: Role; email: string | null; createdAt: string; expiresAt: string; createdByEmail: string | null };

const ROLE_HELP: Record<Role, string> = {
  admin: "members, keys, settings and everything below",
  editor: "policies, prices, playground",
  viewer: "read-only",
};

export function MembersClient({
  projectSlug,
  me,
  initialMembers,
  initialInvites,
}: {
  projectSlug: string;
  me: string;
  initialMembers: MemberRow[];
  initialInvites: InviteRow[];
}) {
  const qc = useQueryClient();
  const q = `?project=${encodeURIComponent(projectSlug)}`;
  const membersKey = ["members", projectSlug];
  const invitesKey = ["invites", projectSlug];
  const members = useQuery({ queryKey: membersKey, queryFn: () => fetchJson<{ members: MemberRow[] }>(`/api/v1/members${q}`).then((r) => r.members), initialData: initialMembers });
  const invites = useQuery({ queryKey: invitesKey, queryFn: () => fetchJson<{ invites: InviteRow[] }>(`/api/v1/members/invites${q}`).then((r) => r.invites), initialData: initialInvites });
  const [link, setLink] = useState<{ url: string; role: Role; emailedTo: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: membersKey });
    void qc.invalidateQueries({ queryKey: invitesKey });
  };
  const onError = (err: Error) => setError(err.message);

  const invite = useMutation({
    mutationFn: (body: { role: Role; email?: string }) =>
      fetchJson<{ url: string; emailed: boolean; invite: { role: Role; email: string | null } }>(`/api/v1/members/invites${q}`, { method: "POST", json: body }),
    onSuccess: (res) => {
      setLink({ url: res.url, role: res.invite.role, emailedTo: res.emailed ? res.invite.email : null });
      refresh();
    },
    onError,
  });
  const changeRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) => fetchJson(`/api/v1/members/${encodeURIComponent(userId)}${q}`, { method: "PATCH", json: { role } }),
    onSuccess: refresh,
    onError,
  });
  const remove = useMutation({
    mutationFn: (userId: string) => fetchJson(`/api/v1/members/${encodeURIComponent(userId)}${q}`, { method: "DELETE" }),
    onSuccess: refresh,
    onError,
  });
  const revokeInvite = useMutation({
    mutationFn: (id: string) => fetchJson(`/api/v1/members/invites/${id}${q}`, { method: "DELETE" }),
    onSuccess: refresh,
    onError,
  });

  const submit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email") || "").trim();
    setError(null);
    setLink(null);
    const role = String(form.get("role"));
    if (!isRole(role)) return setError("Choose a role.");
    invite.mutate({ role, ...(email ? { email } : {}) });
  };

  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">Members</h1>
      <FormError message={error} />
      <Card className="space-y-4">
        <CardTitle>Invite someone</CardTitle>
        <form onSubmit={submit} className="flex flex-wrap items-end gap-4" data-testid="invite-form">
          <div>
            <Label htmlFor="invite-role">Role</Label>
            <Select id="invite-role" name="role" defaultValue="viewer">
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}: {ROLE_HELP[r]}
                </option>
              ))}
            </Select>
          </div>
          <div className="min-w-56 flex-1">
            <Label htmlFor="invite-email">Email (optional: only this address may accept)</Label>
            <Input id="invite-email" name="email" type="email" maxLength={254} />
          </div>
          <Button type="submit" variant="primary" disabled={invite.isPending} data-testid="create-invite">
            {invite.isPending ? "Creating…" : "Create invitation link"}
          </Button>
        </form>
        {link ? (
          <div className="space-y-2 rounded-md border border-amber-500/40 bg-amber-500/10 p-3" data-testid="invite-link">
            <p className="text-sm font-medium">One-time link for a new {link.role}. It is shown once and expires in 7 days; send it privately.</p>
            <div className="flex items-center gap-2">
              <code className="flex-1 overflow-x-auto rounded bg-[var(--background)] px-2 py-1 font-mono text-sm" data-testid="invite-url">
                {link.url}
              </code>
              <CopyButton text={link.url} />
            </div>
            {link.emailedTo ? <p className="text-sm">Also e-mailed to {link.emailedTo}.</p> : null}
          </div>
        ) : null}
      </Card>

      {members.isError ? <ErrorState error={members.error} onRetry={() => void members.refetch()} /> : null}
      <Table data-testid="members-table">
        <thead>
          <tr>
            <Th>Name</Th>
            <Th>Email</Th>
            <Th>Role</Th>
            <Th>Since</Th>
            <Th />
          </tr>
        </thead>
        <tbody>
          {members.data.map((m) => (
            <tr key={m.userId} data-testid="member-row">
              <Td>
                {m.name} {m.userId === me ? <Badge>you</Badge> : null}
              </Td>
              <Td>{m.email}</Td>
              <Td>
                <Select
                  aria-label={`Role of ${m.email}`}
                  value={m.role}
                  disabled={changeRole.isPending}
                  onChange={(e) => {
                    setError(null);
                    if (isRole(e.target.value)) changeRole.mutate({ userId: m.userId, role: e.target.value });
                  }}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </Select>
              </Td>
              <Td>{formatUtc(m.since)}</Td>
              <Td>
                <Button
                  variant="ghost"
                  disabled={remove.isPending}
                  onClick={() => {
                    if (window.confirm(`Remove ${m.email} from this project?`)) {
                      setError(null);
                      remove.mutate(m.userId);
                    }
                  }}
                >
                  Remove
                </Button>
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>

      <Card className="space-y-2">
        <CardTitle>Pending invitations</CardTitle>
        {invites.data.length === 0 ? (
          <p className="text-sm text-[var(--muted)]">None.</p>
        ) : (
          <ul className="space-y-1 text-sm" data-testid="pending-invites">
            {invites.data.map((i) => (
              <li key={i.id} className="flex items-center justify-between gap-2">
                <span>
                  <Badge tone="info">{i.role}</Badge> {i.email ?? "anyone with the link"} · expires {formatUtc(i.expiresAt)}
                </span>
                <Button variant="ghost" disabled={revokeInvite.isPending} onClick={() => revokeInvite.mutate(i.id)}>
                  Withdraw
                </Button>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
