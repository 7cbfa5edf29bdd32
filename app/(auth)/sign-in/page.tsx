import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { needsSetup } from "@/lib/auth/setup";
import { currentUser } from "@/components/shell/project-access";
import { safeNext } from "@/lib/auth/safe-next";
import { SignInForm } from "./client";

export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  if (await needsSetup(getDb())) redirect("/setup");
  if (await currentUser()) redirect(safeNext(next));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Sign in to Pitwall</h1>
      <SignInForm next={safeNext(next)} />
    </div>
  );
}
