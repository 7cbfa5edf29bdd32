"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { fetchJson } from "@/components/auth/fetch-json";

export function SignOutButton() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const signOut = async () => {
    setBusy(true);
    try {
      await fetchJson("/api/auth/sign-out", { method: "POST", json: {} });
    } finally {
      router.replace("/sign-in");
      // Drop every server-rendered page cached for the signed-in user.
      router.refresh();
    }
  };
  return (
    <Button variant="primary" onClick={() => void signOut()} disabled={busy} data-testid="sign-out-confirm">
      {busy ? "Signing out…" : "Sign out"}
    </Button>
  );
}
