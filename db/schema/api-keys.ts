import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { projects } from "./projects";

export const API_KEY_SCOPES = ["ingest", "gateway", "metrics:read"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // Public lookup id: the first characters of the secret after `pw_sk_`. Not secret on its own.
    lookupId: text("lookup_id").notNull().unique(),
    // What the UI shows, e.g. `pw_sk_Ab12cd…`.
    displayPrefix: text("display_prefix").notNull(),
    salt: text("salt").notNull(),
    // hex SHA-256 of salt + secret; the secret itself is never stored.
    secretHash: text("secret_hash").notNull(),
    scopes: text("scopes").array().$type<ApiKeyScope[]>().notNull(),
    createdBy: text("created_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    // The keys page lists a project's keys.
    index("api_keys_project_idx").on(t.projectId),
  ],
);

export type ApiKey = typeof apiKeys.$inferSelect;
