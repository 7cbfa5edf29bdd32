import { ThemeToggle } from "@/components/shell/theme-toggle";

/** Sign-in, setup, invitations and the account page: one centred column, no project chrome. */
export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="flex items-center justify-between px-6 py-3">
        <span className="text-lg font-semibold tracking-tight">
          Pit<span className="text-[var(--accent)]">wall</span>
        </span>
        <ThemeToggle />
      </header>
      <main className="mx-auto w-full max-w-md flex-1 px-4 py-10">{children}</main>
    </div>
  );
}
