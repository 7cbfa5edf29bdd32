import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { listProjectNamesForSetup, needsSetup } from "@/lib/auth/setup";
import { setupAccess } from "@/lib/auth/setup-token";
import { SetupForm } from "./client";

export const dynamic = "force-dynamic";

/** First run only: creates the first admin. Once any account exists this page is gone. */
export default async function SetupPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const db = getDb();
  if (!(await needsSetup(db))) redirect("/sign-in");
  const existing = await listProjectNamesForSetup(db);
  const { token } = await searchParams;
  const needsToken = setupAccess() === "token";
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Set up Pitwall</h1>
        <p className="mt-1 text-sm text-[var(--muted)]">
          Create the first admin account. This page disappears once it exists; invite everyone else from a project&apos;s Members page.
        </p>
      </div>
      <SetupForm existingProjects={existing} needsToken={needsToken} initialToken={typeof token === "string" ? token.slice(0, 200) : ""} />
    </div>
  );
}
