"use client";

import { createContext, useContext } from "react";
import type { Role } from "@/lib/projects/roles";

/**
 * The signed-in user's role in the current project, provided by the project layout so client
 * components can hide what the role cannot do. The server checks every request regardless.
 */
const RoleContext = createContext<Role | null>(null);

export function RoleProvider({ role, children }: { role: Role; children: React.ReactNode }) {
  return <RoleContext.Provider value={role}>{children}</RoleContext.Provider>;
}

/** The current project role; "viewer" outside a project layout (the least it could be). */
export function useProjectRole(): Role {
  return useContext(RoleContext) ?? "viewer";
}
