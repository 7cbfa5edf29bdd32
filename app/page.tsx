import Link from "next/link";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { needsSetup } from "@/lib/auth/setup";
import { listProjectsForUser } from "@/lib/projects/members";
import { currentUser } from "@/components/shell/project-access";
import { SignOutButton } from "./(auth)/sign-out/client";

export const dynamic = "force-dynamic";

/**
 * The front door: setup on a fresh install, sign-in when signed out, otherwise the user's first
 * project (its overview; event counts are also on each project's settings page).
 */
export default async function Home() {
  const db = getDb();
  if (await needsSetup(db)) redirect("/setup");
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  const [first] = await listProjectsForUser(db, user.userId);
  if (first) redirect(`/p/${first.slug}/overview`);
  return (
    <main className="mx-auto max-w-md space-y-4 p-8">
      <h1 className="text-2xl font-semibold">No project yet</h1>
      <p className="text-sm">
        You are signed in as {user.email} but are not a member of any project. Ask an admin for an invitation link, or see your{" "}
        <Link className="underline" href="/account">
          account
        </Link>
        .
      </p>
      <SignOutButton />
    </main>
  );
}
