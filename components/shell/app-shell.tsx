import type { Role } from "@/lib/projects/roles";
import { SidebarNav, type NavItem } from "./sidebar-nav";
import { ThemeToggle } from "./theme-toggle";

/**
 * The frame of every project page: sidebar navigation, a top bar with the project name and
 * slots for the project switcher / user menu / upstream badge, and the page.
 */
export function AppShell({
  projectSlug,
  projectName,
  role,
  topBar,
  children,
}: {
  projectSlug: string;
  projectName: string;
  /** Hides pages the role cannot use (keys and members are for admins); the server still checks. */
  role?: Role;
  topBar?: React.ReactNode;
  children: React.ReactNode;
}) {
  const base = `/p/${projectSlug}`;
  const all: (NavItem & { adminOnly?: boolean })[] = [
    { href: `${base}/overview`, label: "Overview" },
    { href: `${base}/models`, label: "Models" },
    { href: `${base}/cache`, label: "Cache" },
    { href: `${base}/events`, label: "Events" },
    { href: `${base}/sessions`, label: "Sessions" },
    { href: `${base}/playground`, label: "Playground" },
    { href: `${base}/advisor`, label: "Advisor" },
    { href: `${base}/pricing`, label: "Pricing" },
    { href: `${base}/policies`, label: "Policies" },
    { href: `${base}/keys`, label: "API keys", adminOnly: true },
    { href: `${base}/members`, label: "Members", adminOnly: true },
    { href: `${base}/settings`, label: "Settings" },
  ];
  const items = all.filter((item) => !item.adminOnly || role === undefined || role === "admin");
  return (
    <div className="flex min-h-screen">
      {/* First in tab order: past the sidebar and top bar (a dozen stops) to the page itself. */}
      <a
        href="#main-content"
        className="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 focus:rounded-md focus:bg-[var(--card)] focus:px-3 focus:py-2 focus:text-sm focus:shadow-lg focus:outline focus:outline-2 focus:outline-[var(--accent)]"
        data-testid="skip-to-content"
      >
        Skip to content
      </a>
      <aside className="w-52 shrink-0 border-r border-[var(--border)] bg-[var(--card)] p-3">
        <div className="mb-4 px-3 text-lg font-semibold tracking-tight">
          Pit<span className="text-[var(--accent)]">wall</span>
        </div>
        <SidebarNav items={items} />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center gap-3 border-b border-[var(--border)] px-6 py-2">
          <span className="text-sm font-medium" data-testid="project-name">
            {projectName}
          </span>
          <div className="ml-auto flex items-center gap-3">
            {topBar}
            <ThemeToggle />
          </div>
        </header>
        <main id="main-content" tabIndex={-1} className="min-w-0 flex-1 p-6 focus:outline-none">
          {children}
        </main>
      </div>
    </div>
  );
}
