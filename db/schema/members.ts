import { index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { Role } from "../../lib/projects/roles";
import { user } from "./auth";
import { projects } from "./projects";

/** Who may see a project, and with which role. No row = no access (answered as 404). */
export const projectMembers = pgTable(
  "project_members",
  {
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    role: text("role").$type<Role>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Every signed-in request resolves (project, user) -> role.
    primaryKey({ columns: [t.projectId, t.userId] }),
    // The project switcher lists a user's projects.
    index("project_members_user_idx").on(t.userId),
  ],
);

/**
 * One-time invitation links. Only a SHA-256 of the token is stored: the link is shown once to
 * the admin who made it, and a database reader cannot use pending invites.
 */
export const projectInvites = pgTable(
  "project_invites",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    role: text("role").$type<Role>().notNull(),
    // Optional: when set, only this address may accept.
    email: text("email"),
    createdBy: text("created_by").references(() => user.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    acceptedBy: text("accepted_by").references(() => user.id, { onDelete: "set null" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    // Acceptance looks the invite up by its token hash.
    uniqueIndex("project_invites_token_hash_idx").on(t.tokenHash),
    // The members page lists a project's pending invites.
    index("project_invites_project_idx").on(t.projectId),
  ],
);

export type ProjectMember = typeof projectMembers.$inferSelect;
export type ProjectInvite = typeof projectInvites.$inferSelect;
