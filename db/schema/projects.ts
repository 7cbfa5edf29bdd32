import { jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** Per-project settings; every field optional so old rows stay valid as settings grow. */
export type ProjectSettings = {
  rateLimitPerSecond?: number;
  rateLimitBurst?: number;
};

export const projects = pgTable("projects", {
  id: uuid("id").primaryKey().defaultRandom(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  settings: jsonb("settings").$type<ProjectSettings>().notNull().default({}),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export type Project = typeof projects.$inferSelect;
export type NewProject = typeof projects.$inferInsert;
