import { SignOutButton } from "./client";

export const dynamic = "force-dynamic";

export default function SignOutPage() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Sign out</h1>
      <p className="text-sm text-[var(--muted)]">This ends your session on this device.</p>
      <SignOutButton />
    </div>
  );
}
