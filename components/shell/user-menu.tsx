"use client";

import Link from "next/link";
import { useSignOut } from "../auth/use-sign-out";

/** Who is signed in, a link to the account page, and sign-out. */
export function UserMenu({ email, name }: { email: string; name: string }) {
  const { signOut, busy } = useSignOut();
  return (
    <details className="relative" data-testid="user-menu">
      <summary className="cursor-pointer list-none rounded-md px-2 py-1 text-sm hover:bg-[var(--border)]" title={email}>
        {name || email} ▾
      </summary>
      <div className="absolute right-0 z-10 mt-1 w-56 rounded-md border border-[var(--border)] bg-[var(--card)] p-1 shadow-lg">
        <p className="truncate px-3 py-1.5 text-xs text-[var(--muted)]" data-testid="user-email">
          {email}
        </p>
        <Link href="/account" className="block rounded px-3 py-1.5 text-sm hover:bg-[var(--border)]">
          Account and password
        </Link>
        <button
          onClick={() => void signOut()}
          disabled={busy}
          className="block w-full rounded px-3 py-1.5 text-left text-sm hover:bg-[var(--border)]"
          data-testid="sign-out"
        >
          Sign out
        </button>
      </div>
    </details>
  );
}
