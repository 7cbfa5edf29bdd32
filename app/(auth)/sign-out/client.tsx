"use client";

import { Button } from "@/components/ui/button";
import { useSignOut } from "@/components/auth/use-sign-out";

export function SignOutButton() {
  const { signOut, busy } = useSignOut();
  return (
    <Button variant="primary" onClick={() => void signOut()} disabled={busy} data-testid="sign-out-confirm">
      {busy ? "Signing out…" : "Sign out"}
    </Button>
  );
}
