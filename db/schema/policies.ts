import { boolean, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { projects } from "./projects";

export const POLICY_KINDS = ["routing", "cache"] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/**
 * Every saved policy document, never edited in place: a change is a new version (1, 2, 3… per
 * project and kind). Documents are stored as validated, defaults filled in.
 */
export const policyVersions = pgTable(
  "policy_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    kind: text("kind").$type<PolicyKind>().notNull(),
    version: integer("version").notNull(),
    document: jsonb("document").$type<Record<string, unknown>>().notNull(),
    comment: text("comment"),
    // The signed-in user's email, or `key:<id>` for an API key.
    createdBy: text("created_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Version numbers are per (project, kind); also the index the version list reads in order.
    unique("policy_versions_project_kind_version_key").on(t.projectId, t.kind, t.version),
  ],
);

/**
 * Which version is live per (project, kind): a pointer. Saving a new version moves it forward;
 * a rollback moves it back to an older version without copying the document, so the recorded
 * policy_version of a call always names the exact document it ran under.
 */
export const activePolicies = pgTable(
  "active_policies",
  {
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    kind: text("kind").$type<PolicyKind>().notNull(),
    version: integer("version").notNull(),
    activatedBy: text("activated_by"),
    activatedAt: timestamp("activated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Also what each process polls (by project) to refresh its cached policies within 2 s.
    primaryKey({ columns: [t.projectId, t.kind] }),
    // The pointer can only name a version that exists.
    foreignKey({
      name: "active_policies_version_fkey",
      columns: [t.projectId, t.kind, t.version],
      foreignColumns: [policyVersions.projectId, policyVersions.kind, policyVersions.version],
    }).onDelete("cascade"),
  ],
);

export type PolicyVersionRow = typeof policyVersions.$inferSelect;
export type ActivePolicyRow = typeof activePolicies.$inferSelect;

export const POLICY_AUDIT_ACTIONS = ["save", "save_draft", "activate", "rollback"] as const;
export type PolicyAuditAction = (typeof POLICY_AUDIT_ACTIONS)[number];

/**
 * Who changed which policy, how and when: one row per save, activation and rollback, never
 * edited. Rows with `live` true moved the active pointer; they are the charts' change markers.
 */
export const policyAudit = pgTable(
  "policy_audit",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    kind: text("kind").$type<PolicyKind>().notNull(),
    action: text("action").$type<PolicyAuditAction>().notNull(),
    /** The version saved or made live. */
    version: integer("version").notNull(),
    /** The live version before this change (null when none was live). */
    previousVersion: integer("previous_version"),
    /** For a rollback: the old version whose document was copied. */
    sourceVersion: integer("source_version"),
    live: boolean("live").notNull(),
    actor: text("actor"),
    comment: text("comment"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The audit list and the change markers read "this project, this time range", newest first.
    index("policy_audit_project_at_idx").on(t.projectId, t.at.desc()),
  ],
);
export type PolicyAuditRow = typeof policyAudit.$inferSelect;
