import Link from "next/link";
import { getDb } from "@/db/client";
import { listProjectsForUser } from "@/lib/projects/members";
import { Card, CardTitle } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { requireUser } from "@/components/shell/project-access";
import { ChangePasswordForm } from "./client";
import { SignOutButton } from "../sign-out/client";

export const dynamic = "force-dynamic";

/** The signed-in user's own page: projects and roles, password change, sign-out. */
export default async function AccountPage() {
  const user = await requireUser("/account");
  const projects = await listProjectsForUser(getDb(), user.userId);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Your account</h1>
        <p className="mt-1 text-sm text-[var(--muted)]" data-testid="account-email">
          {user.name} · {user.email}
        </p>
      </div>
      <Card className="space-y-2">
        <CardTitle>Projects</CardTitle>
        {projects.length === 0 ? (
          <p className="text-sm">You are not a member of any project yet. Ask an admin for an invitation link.</p>
        ) : (
          <ul className="space-y-1 text-sm">
            {projects.map((p) => (
              <li key={p.slug} className="flex items-center justify-between">
                <Link className="underline" href={`/p/${p.slug}/overview`}>
                  {p.name}
                </Link>
                <Badge>{p.role}</Badge>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card className="space-y-3">
        <CardTitle>Change password</CardTitle>
        <ChangePasswordForm />
      </Card>
      <SignOutButton />
    </div>
  );
}
