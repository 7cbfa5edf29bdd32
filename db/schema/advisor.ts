import { customType, foreignKey, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { policyVersions, type PolicyKind } from "./policies";
import { projects } from "./projects";

/**
 * What the advisor predicted for a plan phase, stored with the draft policy version "Apply
 * phase" created, so the change marker can show predicted against measured once it is live.
 * Written in the same transaction as the version: a draft never lacks its prediction.
 */
export const advisorPredictions = pgTable(
  "advisor_predictions",
  {
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    kind: text("kind").$type<PolicyKind>().notNull(),
    version: integer("version").notNull(),
    /** The plan phase (response_cache, prompt_caching, model_right_sizing). */
    phase: text("phase").notNull(),
    /** The finding the phase answers: kind and route, as linked in the version's comment. */
    finding: jsonb("finding").$type<{ kind: string; routes: (string | null)[] }>().notNull(),
    /** Figures (lib/advisor/replay/replay-schema.ts): predicted, the baseline measured, the backtest error. */
    predicted: jsonb("predicted").$type<Record<string, unknown>>().notNull(),
    baseline: jsonb("baseline").$type<Record<string, unknown>>().notNull(),
    backtestError: jsonb("backtest_error").$type<Record<string, unknown>>(),
    createdBy: text("created_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One prediction per version; also the lookup of the change marker (project, kind, version).
    primaryKey({ columns: [t.projectId, t.kind, t.version] }),
    foreignKey({
      name: "advisor_predictions_version_fkey",
      columns: [t.projectId, t.kind, t.version],
      foreignColumns: [policyVersions.projectId, policyVersions.kind, policyVersions.version],
    }).onDelete("cascade"),
  ],
);
export type AdvisorPredictionRow = typeof advisorPredictions.$inferSelect;

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

/** One hour's stamp inside a segment: what the events table read for the hour when it was stored. */
export type SegmentHourStamp = { hourMs: number; rows: number; lastReceivedUs: number; llmCostNano: number; llmUnpriced: number };

/**
 * The advisor's own storage of recorded traffic: a project's LLM calls and tool spans over a run
 * of whole hours, columnar with one dictionary (lib/advisor/traffic-block-codec.ts), and the
 * stamp of each hour it holds. A load uses an hour of it only while the events table reads the
 * same stamp for that hour (lib/advisor/traffic-segments.ts).
 */
export const advisorTrafficSegments = pgTable(
  "advisor_traffic_segments",
  {
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    startAt: timestamp("start_at", { withTimezone: true }).notNull(),
    endAt: timestamp("end_at", { withTimezone: true }).notNull(),
    /** The codec's format: a segment of another format is not read. */
    format: integer("format").notNull(),
    /** The stamp of each hour with rows (an hour not listed held none). */
    hours: jsonb("hours").$type<SegmentHourStamp[]>().notNull(),
    data: bytea("data").notNull(),
    builtAt: timestamp("built_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.startAt] })],
);
