"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { fetchJson } from "./fetch-json";

/** Signs out and leaves for the sign-in page; shared by the sign-out page and the user menu. */
export function useSignOut(): { signOut: () => Promise<void>; busy: boolean } {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const signOut = async () => {
    setBusy(true);
    try {
      await fetchJson("/api/auth/sign-out", { method: "POST", json: {} });
    } finally {
      // Leave either way: a failed sign-out must not keep the page looking signed in.
      router.replace("/sign-in");
      // Drop every server-rendered page cached for the signed-in user.
      router.refresh();
    }
  };
  return { signOut, busy };
}
