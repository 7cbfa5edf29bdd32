import { bigint, boolean, integer, pgTable, serial, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { projects } from "./projects";

/**
 * Rates in integer nano-USD per token (= USD per million tokens x 1000), so $0.125/M is 125 exactly.
 * A model can have several tiers: the row with the highest minPromptTokens <= the request's prompt
 * size applies to the whole request (Anthropic's long-context pricing works that way).
 */
export const modelPrices = pgTable(
  "model_prices",
  {
    id: serial("id").primaryKey(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    model: text("model").notNull(),
    effectiveFrom: timestamp("effective_from", { withTimezone: true }).notNull(),
    minPromptTokens: integer("min_prompt_tokens").notNull().default(0),
    inputNano: bigint("input_nano", { mode: "number" }).notNull(),
    cacheWrite5mNano: bigint("cache_write_5m_nano", { mode: "number" }).notNull(),
    cacheWrite1hNano: bigint("cache_write_1h_nano", { mode: "number" }).notNull(),
    cacheReadNano: bigint("cache_read_nano", { mode: "number" }).notNull(),
    outputNano: bigint("output_nano", { mode: "number" }).notNull(),
    // false for prices taken from secondary sources; the UI marks them.
    verified: boolean("verified").notNull().default(true),
    source: text("source"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One row per (model, effective date, tier): edits upsert on it, so concurrent saves never
    // duplicate a rate. It also serves the cost lookup, which loads a project's whole table.
    uniqueIndex("model_prices_project_model_from_tier_idx").on(t.projectId, t.model, t.effectiveFrom, t.minPromptTokens),
  ],
);

export type ModelPrice = typeof modelPrices.$inferSelect;
