import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { projects } from "./projects";

/**
 * The response cache when no Redis is configured. `key` is the sha256 of the normalized request
 * and already binds the project; project_id is kept so reads are scoped and deleting a project
 * removes its entries. Expired rows are never served and are swept in small batches.
 */
export const responseCache = pgTable(
  "response_cache",
  {
    key: text("key").primaryKey(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    model: text("model").notNull(),
    // The final Message JSON.
    body: jsonb("body").$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    // The sweep deletes the oldest expired rows first.
    index("response_cache_expires_at_idx").on(t.expiresAt),
  ],
);

export type ResponseCacheRow = typeof responseCache.$inferSelect;
