export const ROLES = ["viewer", "editor", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** A role picked in a form or read from a URL: narrows the string, so no cast is needed. */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** admin > editor > viewer: a role can do everything the roles below it can. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}
