import type { Db } from "@/db/client";
import { ROLES, type Role } from "../../projects/roles";
import { projectWithKey } from "./project-with-key";
import { signedInUser, TEST_ORIGIN } from "./sessions";

/** Who sends a request: a member signed in with that role, the project's key, or nobody. */
export type Caller = Role | { key: string } | null;

export type ProjectWithMembers = {
  slug: string;
  projectId: string;
  key: string;
  /** The session cookie of the member with `role`. */
  cookie: (role: Role) => string;
  /** Headers that authenticate as `who`; cookie callers also send the app's own Origin, as mutations must. */
  headersFor: (who: Caller) => Record<string, string>;
};

/**
 * A fresh project with a key and one signed-in member of each role, for role-checking API tests.
 * Members are `viewer@example.test` etc. unless `emailFor` names them (a second call on one
 * database needs other addresses).
 */
export async function projectWithMembers(db: Db, emailFor: (role: Role) => string = (role) => `${role}@example.test`): Promise<ProjectWithMembers> {
  const { project, key } = await projectWithKey(db);
  const cookies = new Map<Role, string>();
  for (const role of ROLES) {
    cookies.set(role, (await signedInUser(db, { projectId: project.id, role, email: emailFor(role) })).cookie);
  }
  const cookie = (role: Role) => cookies.get(role)!;
  return {
    slug: project.slug,
    projectId: project.id,
    key,
    cookie,
    headersFor: (who): Record<string, string> => {
      if (who === null) return {};
      if (typeof who === "object") return { authorization: `Bearer ${who.key}` };
      return { cookie: cookie(who), origin: TEST_ORIGIN };
    },
  };
}
