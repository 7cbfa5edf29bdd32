import { sql } from "drizzle-orm";
import { bigint, bigserial, customType, index, integer, numeric, pgTable, primaryKey, smallint, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { projects } from "./projects";

/**
 * Log-bucketed histograms (lib/metrics/histogram.ts) packed as bytes (lib/metrics/hist-codec.ts):
 * 12 bytes per non-empty bucket, sorted by key. Dashboards read thousands of buckets per query;
 * bytes decode an order of magnitude faster than JSON. Stored with lz4 where Postgres has it
 * (migration 0011).
 */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

/**
 * Pre-aggregated events. Ingestion queues each batch's new events (rollup_queue) in its own
 * transaction; the flusher folds them in about once a second (lib/metrics/rollup-upkeep.ts).
 *
 * One row per (grain, bucket, grouping set, dimensions). Grains are 1 minute, 1 hour and 1 day, so
 * a 30-day range reads ~30 day rows plus its ragged edges instead of millions of events. `set_id`
 * is Postgres' GROUPING(model, route, agent, status) bitmask: 0 = every dimension is real (the
 * per-minute aggregate per model/route/agent/status the issue asks for), 15 = the whole project,
 * 7 / 11 / 13 = per model / route / agent. Rolled-up dimensions hold '' and so does a real null,
 * which the set id tells apart. Sums are exact (bigint tokens and nano-USD, latency as numeric
 * milliseconds of whole microseconds). Hour and day rows exist only below rollup_watermarks.
 */
export const metricRollups = pgTable(
  "metric_rollups",
  {
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    grainS: integer("grain_s").notNull(),
    bucket: timestamp("bucket", { withTimezone: true }).notNull(),
    setId: smallint("set_id").notNull(),
    kind: text("kind").notNull(),
    model: text("model").notNull(),
    route: text("route").notNull(),
    agent: text("agent").notNull(),
    status: text("status").notNull(),
    requests: bigint("requests", { mode: "number" }).notNull(),
    errors: bigint("errors", { mode: "number" }).notNull(),
    inputTokens: bigint("input_tokens", { mode: "number" }).notNull(),
    outputTokens: bigint("output_tokens", { mode: "number" }).notNull(),
    cacheReadTokens: bigint("cache_read_tokens", { mode: "number" }).notNull(),
    cacheWrite5mTokens: bigint("cache_write_5m_tokens", { mode: "number" }).notNull(),
    cacheWrite1hTokens: bigint("cache_write_1h_tokens", { mode: "number" }).notNull(),
    costNanoUsd: bigint("cost_nano_usd", { mode: "bigint" }).notNull(),
    latencyCount: bigint("latency_count", { mode: "number" }).notNull(),
    latencySumMs: numeric("latency_sum_ms").notNull(),
    ttftCount: bigint("ttft_count", { mode: "number" }).notNull(),
    ttftSumMs: numeric("ttft_sum_ms").notNull(),
    // Response cache outcomes, with what hits and misses cost and took (the cache page's savings).
    rcHits: bigint("rc_hits", { mode: "number" }).notNull(),
    rcMisses: bigint("rc_misses", { mode: "number" }).notNull(),
    rcBypass: bigint("rc_bypass", { mode: "number" }).notNull(),
    rcHitCostNano: bigint("rc_hit_cost_nano", { mode: "bigint" }).notNull(),
    rcMissCostNano: bigint("rc_miss_cost_nano", { mode: "bigint" }).notNull(),
    rcHitLatencyMs: numeric("rc_hit_latency_ms").notNull(),
    rcMissLatencyMs: numeric("rc_miss_latency_ms").notNull(),
    latencyBuckets: bytea("latency_buckets").notNull().default(sql`''::bytea`),
    ttftBuckets: bytea("ttft_buckets").notNull().default(sql`''::bytea`),
    tpsBuckets: bytea("tps_buckets").notNull().default(sql`''::bytea`),
  },
  (t) => [
    // The upsert's conflict target, and every dashboard read: project, grain, a bucket range, then
    // the grouping set and dimension filters checked inside the index.
    primaryKey({
      name: "metric_rollups_pk",
      columns: [t.projectId, t.grainS, t.bucket, t.setId, t.kind, t.model, t.route, t.agent, t.status],
    }),
    // Retention deletes old buckets across projects; BRIN stays tiny on time-ordered rows.
    index("metric_rollups_bucket_brin_idx").using("brin", t.bucket),
  ],
);

export type MetricRollup = typeof metricRollups.$inferSelect;

/**
 * Newly stored events waiting to be folded into metric_rollups. The ingest transaction appends one
 * row per batch (cheap, and atomic with the events); a flusher drains the queue about once a
 * second and upserts each rollup key once per flush instead of once per batch.
 * The payload is compact JSON text (lib/metrics/rollup-queue.ts), never parsed by Postgres.
 */
export const rollupQueue = pgTable("rollup_queue", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  projectId: uuid("project_id")
    .notNull()
    .references(() => projects.id, { onDelete: "cascade" }),
  payload: text("payload").notNull(),
  // The events' numbers, packed (lib/metrics/rollup-queue-codec.ts); `payload` then holds only
  // the strings they refer to.
  packed: bytea("packed"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  // Folds of this row that failed on their own (lib/metrics/rollup-dead-letter.ts); at
  // PITWALL_ROLLUP_MAX_ATTEMPTS it moves to rollup_dead_letters so the rows behind it keep flowing.
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
});

/**
 * Rollup work set aside after failing PITWALL_ROLLUP_MAX_ATTEMPTS times, with its error: a queue
 * row that would not fold (`kind = 'fold'`, its payload kept to fold again once fixed) or an
 * hour/day bucket of one project that would not seal (`kind = 'seal'`). /api/health reports them.
 */
export const rollupDeadLetters = pgTable(
  "rollup_dead_letters",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: text("kind").$type<"fold" | "seal">().notNull(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    queueId: bigint("queue_id", { mode: "number" }),
    payload: text("payload"),
    packed: bytea("packed"),
    grainS: integer("grain_s"),
    bucket: timestamp("bucket", { withTimezone: true }),
    attempts: integer("attempts").notNull(),
    error: text("error").notNull(),
    queuedAt: timestamp("queued_at", { withTimezone: true }),
    failedAt: timestamp("failed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // /api/health counts them and shows the latest.
    index("rollup_dead_letters_failed_idx").on(t.failedAt),
  ],
);

export type RollupDeadLetter = typeof rollupDeadLetters.$inferSelect;

/** Stored-cost recomputations after a price change, so any process can report their progress. */
export const costRecomputeJobs = pgTable(
  "cost_recompute_jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    rangeFrom: timestamp("range_from", { withTimezone: true }).notNull(),
    rangeTo: timestamp("range_to", { withTimezone: true }).notNull(),
    status: text("status").$type<"running" | "done" | "failed">().notNull(),
    total: bigint("total", { mode: "number" }).notNull(),
    processed: bigint("processed", { mode: "number" }).notNull().default(0),
    changed: bigint("changed", { mode: "number" }).notNull().default(0),
    // Net change of the stored cost, nano-USD.
    deltaNanoUsd: numeric("delta_nano_usd").notNull().default("0"),
    error: text("error"),
    createdBy: text("created_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    // The pricing page shows a project's latest jobs.
    index("cost_recompute_jobs_project_idx").on(t.projectId, t.createdAt.desc()),
  ],
);

export type CostRecomputeJob = typeof costRecomputeJobs.$inferSelect;

/**
 * How far each coarse grain is sealed (one row per grain, shared by all projects). Below
 * `sealed_until` the hour (or day) rows are complete and queries may use them; above it only the
 * minute rows are, and the flusher writes minutes only. Sealing builds an hour's rows once from
 * its 60 minute rows, instead of rewriting large hour and day histograms on every flush.
 */
export const rollupWatermarks = pgTable("rollup_watermarks", {
  grainS: integer("grain_s").primaryKey(),
  sealedUntil: timestamp("sealed_until", { withTimezone: true }).notNull(),
});
