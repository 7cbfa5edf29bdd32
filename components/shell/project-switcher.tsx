"use client";

import { useRouter } from "next/navigation";
import type { Role } from "@/lib/projects/roles";

export type SwitcherProject = { slug: string; name: string; role: Role };

const NEW = "__new__";

/** Jumps to another of the user's projects (same page kind: overview), or to "new project". */
export function ProjectSwitcher({ projects, current, canCreate }: { projects: SwitcherProject[]; current: string; canCreate: boolean }) {
  const router = useRouter();
  return (
    <label className="flex items-center gap-2 text-sm">
      <span className="sr-only">Project</span>
      <select
        data-testid="project-switcher"
        className="rounded-md border border-[var(--border)] bg-[var(--card)] px-2 py-1 text-sm"
        value={current}
        onChange={(e) => router.push(e.target.value === NEW ? "/projects/new" : `/p/${e.target.value}/overview`)}
      >
        {projects.map((p) => (
          <option key={p.slug} value={p.slug}>
            {p.name} ({p.role})
          </option>
        ))}
        {canCreate ? <option value={NEW}>+ New project…</option> : null}
      </select>
    </label>
  );
}
