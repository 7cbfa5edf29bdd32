import { index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { projects } from "./projects";

/**
 * The response cache when no Redis is configured. `key` is the sha256 of the normalized request
 * and already binds the project; project_id is kept so reads are scoped and deleting a project
 * removes its entries. Expired rows are never served and are swept in small batches; the table is
 * capped in entries and bytes (oldest first out), and rows older than the event retention go.
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
    // Size of the stored answer (its JSON), summed against the store's byte cap.
    bytes: integer("bytes").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    // The sweep deletes the oldest expired rows first.
    index("response_cache_expires_at_idx").on(t.expiresAt),
    // The size cap evicts the oldest rows first; retention deletes rows created before its cutoff.
    index("response_cache_created_at_idx").on(t.createdAt),
  ],
);

export type ResponseCacheRow = typeof responseCache.$inferSelect;
