import { index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { projects } from "./projects";

/**
 * A playground experiment: the panes' configurations and the shared prompt, as last run. Calls
 * are recorded as ordinary events (route `playground`, tags experiment/pane/run); each run keeps
 * its own copy of the configuration and of every call's measurements, so it reopens exactly as
 * it ran even after the events age out.
 */
export const playgroundExperiments = pgTable(
  "playground_experiments",
  {
    id: text("id").primaryKey(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // ExperimentConfig (lib/playground/config-schema.ts), validated on write.
    config: jsonb("config").$type<Record<string, unknown>>().notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The experiments list: this project's, most recently run first.
    index("playground_experiments_project_updated_idx").on(t.projectId, t.updatedAt.desc()),
  ],
);

export const playgroundRuns = pgTable(
  "playground_runs",
  {
    id: text("id").primaryKey(),
    experimentId: text("experiment_id")
      .notNull()
      .references(() => playgroundExperiments.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    // 1, 2, 3… per experiment: a rerun appends.
    seq: integer("seq").notNull(),
    config: jsonb("config").$type<Record<string, unknown>>().notNull(),
    // Repetitions per pane (1 for a single race) and how many calls ran at once.
    n: integer("n").notNull(),
    concurrency: integer("concurrency").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    // CallMeasurement[] (lib/playground/run-schema.ts), filled from the recorded events.
    calls: jsonb("calls").$type<Record<string, unknown>[]>().notNull().default([]),
    verdict: text("verdict"),
  },
  (t) => [
    // Seq numbers are per experiment; also the index the runs of an experiment are read in order by.
    unique("playground_runs_experiment_seq_key").on(t.experimentId, t.seq),
  ],
);

export type PlaygroundExperimentRow = typeof playgroundExperiments.$inferSelect;
export type PlaygroundRunRow = typeof playgroundRuns.$inferSelect;
