import { randomBytes } from "node:crypto";
import { and, asc, desc, eq, gte, inArray, max, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { events, playgroundExperiments, playgroundRuns, type PlaygroundExperimentRow, type PlaygroundRunRow } from "@/db/schema";
import { AppError } from "../errors";
import { PLAYGROUND_ROUTE } from "./build-request";
import { ExperimentConfig, type RunRequest } from "./config-schema";
import { measurementOf, type CallMeasurement } from "./measurement";
import { summarizeRun, verdictLine, type RunSummary } from "./run-summary";

export type Experiment = Omit<PlaygroundExperimentRow, "config"> & { config: ExperimentConfig };
export type Run = Omit<PlaygroundRunRow, "config" | "calls"> & { config: ExperimentConfig; calls: CallMeasurement[] };

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString("base64url")}`;
}

/**
 * A run's id before its row exists: Run x N starts its calls (tagged run=<id>) while the row is
 * being saved, and the calls' event ids are the gateway's own, so nothing else waits on the save.
 */
export function newRunId(): string {
  return newId("run");
}

export function newExperimentId(): string {
  return newId("exp");
}

function experimentNotFound(): AppError {
  return new AppError("not_found:experiment", "No such experiment in this project.");
}

function toExperiment(row: PlaygroundExperimentRow): Experiment {
  return { ...row, config: ExperimentConfig.parse(row.config) };
}

function toRun(row: PlaygroundRunRow): Run {
  return { ...row, config: ExperimentConfig.parse(row.config), calls: row.calls as CallMeasurement[] };
}

/** A default name from the panes: "haiku-4-5 vs sonnet-4-6". */
function nameFor(config: ExperimentConfig): string {
  return config.panes.map((p) => p.model.replace(/^claude-/, "")).join(" vs ").slice(0, 120);
}

/**
 * Starts a run: of a new experiment when `experimentId` is null, else appended to that one
 * (a rerun), whose configuration becomes the run's.
 */
export async function createRun(
  db: Db,
  params: { projectId: string; experimentId: string | null; name?: string; request: RunRequest; createdBy: string; runId?: string; newExperimentId?: string },
): Promise<{ experiment: Experiment; run: Run }> {
  const { projectId, request } = params;
  return db.transaction(async (tx) => {
    let experimentId = params.experimentId;
    if (experimentId === null) {
      experimentId = params.newExperimentId ?? newExperimentId();
      await tx.insert(playgroundExperiments).values({ id: experimentId, projectId, name: params.name?.trim() || nameFor(request.config), config: request.config, createdBy: params.createdBy });
    } else {
      const updated = await tx
        .update(playgroundExperiments)
        .set({ config: request.config, updatedAt: new Date(), ...(params.name?.trim() ? { name: params.name.trim() } : {}) })
        .where(and(eq(playgroundExperiments.projectId, projectId), eq(playgroundExperiments.id, experimentId)))
        .returning({ id: playgroundExperiments.id });
      if (updated.length === 0) throw experimentNotFound();
    }
    const [last] = await tx.select({ seq: max(playgroundRuns.seq) }).from(playgroundRuns).where(eq(playgroundRuns.experimentId, experimentId));
    const [run] = await tx
      .insert(playgroundRuns)
      .values({ id: params.runId ?? newRunId(), experimentId, projectId, seq: (last?.seq ?? 0) + 1, config: request.config, n: request.n, concurrency: request.concurrency, createdBy: params.createdBy })
      .returning();
    const [experiment] = await tx.select().from(playgroundExperiments).where(eq(playgroundExperiments.id, experimentId));
    return { experiment: toExperiment(experiment!), run: toRun(run!) };
  });
}

export async function getExperiment(db: Db, projectId: string, experimentId: string): Promise<{ experiment: Experiment; runs: Run[] }> {
  const [row] = await db
    .select()
    .from(playgroundExperiments)
    .where(and(eq(playgroundExperiments.projectId, projectId), eq(playgroundExperiments.id, experimentId)));
  if (!row) throw experimentNotFound();
  const runs = await db
    .select()
    .from(playgroundRuns)
    .where(and(eq(playgroundRuns.projectId, projectId), eq(playgroundRuns.experimentId, experimentId)))
    .orderBy(asc(playgroundRuns.seq));
  return { experiment: toExperiment(row), runs: runs.map(toRun) };
}

/** 404 unless the experiment is this project's (checked before a rerun starts any call). */
export async function assertExperiment(db: Db, projectId: string, experimentId: string): Promise<void> {
  const [row] = await db
    .select({ id: playgroundExperiments.id })
    .from(playgroundExperiments)
    .where(and(eq(playgroundExperiments.projectId, projectId), eq(playgroundExperiments.id, experimentId)));
  if (!row) throw experimentNotFound();
}

/** The run a stream call belongs to, scoped to the project; 404 for anyone else's. */
export async function getRun(db: Db, projectId: string, experimentId: string, runId: string): Promise<Run> {
  const [row] = await db
    .select()
    .from(playgroundRuns)
    .where(and(eq(playgroundRuns.projectId, projectId), eq(playgroundRuns.experimentId, experimentId), eq(playgroundRuns.id, runId)));
  if (!row) throw new AppError("not_found:run", "No such run of this experiment in this project.");
  return toRun(row);
}

export type ExperimentListItem = {
  id: string;
  name: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  panes: string[];
  runs: number;
  lastN: number | null;
  lastRunBy: string | null;
  verdict: string | null;
};

/** The list page: newest first, with the last run's N and verdict. */
export async function listExperiments(db: Db, projectId: string, limit = 200): Promise<ExperimentListItem[]> {
  const rows = await db
    .select()
    .from(playgroundExperiments)
    .where(eq(playgroundExperiments.projectId, projectId))
    .orderBy(desc(playgroundExperiments.updatedAt))
    .limit(limit);
  if (rows.length === 0) return [];
  const runs = await db
    .select({ experimentId: playgroundRuns.experimentId, seq: playgroundRuns.seq, n: playgroundRuns.n, createdBy: playgroundRuns.createdBy, verdict: playgroundRuns.verdict })
    .from(playgroundRuns)
    .where(and(eq(playgroundRuns.projectId, projectId), inArray(playgroundRuns.experimentId, rows.map((r) => r.id))))
    .orderBy(asc(playgroundRuns.seq));
  return rows.map((r) => {
    const mine = runs.filter((x) => x.experimentId === r.id);
    const last = mine.at(-1);
    const config = r.config as { panes?: { name?: string }[] };
    return {
      id: r.id,
      name: r.name,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      panes: (config.panes ?? []).map((p) => String(p.name ?? "")),
      runs: mine.length,
      lastN: last?.n ?? null,
      lastRunBy: last?.createdBy ?? null,
      verdict: last?.verdict ?? null,
    };
  });
}

/** The recorded calls of a run (tag run=<id>), oldest first. */
export async function getRunCalls(db: Db, run: Pick<Run, "id" | "projectId" | "createdAt">): Promise<CallMeasurement[]> {
  const rows = await db
    .select()
    .from(events)
    .where(
      and(
        eq(events.projectId, run.projectId),
        eq(events.route, PLAYGROUND_ROUTE),
        // Calls start after their run; the slack covers clocks a little apart.
        gte(events.ts, new Date(run.createdAt.getTime() - 60_000)),
        sql`${events.tags} @> ${JSON.stringify({ run: run.id })}::jsonb`,
      ),
    )
    .orderBy(asc(events.ts));
  return rows.map(measurementOf);
}

/**
 * Closes a run: waits (up to `waitMs`) until the recorder has stored the `expected` calls, then
 * keeps a copy of their measurements and the verdict on the run. Calls still unrecorded after the
 * wait are left out (the run says how many it has).
 */
export async function completeRun(db: Db, params: { projectId: string; experimentId: string; runId: string; expected: number; waitMs?: number }): Promise<{ run: Run; summary: RunSummary }> {
  const run = await getRun(db, params.projectId, params.experimentId, params.runId);
  const deadline = Date.now() + (params.waitMs ?? 5_000);
  let calls = await getRunCalls(db, run);
  while (calls.length < params.expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    calls = await getRunCalls(db, run);
  }
  const summary = summarizeRun(calls, run.config.panes.map((p) => p.name));
  const verdict = run.n >= 2 ? verdictLine(summary) : null;
  const [row] = await db
    .update(playgroundRuns)
    .set({ calls, verdict, completedAt: new Date() })
    .where(and(eq(playgroundRuns.projectId, params.projectId), eq(playgroundRuns.id, run.id)))
    .returning();
  // The summary goes back with the run: its bootstrap is the costly part, done once.
  return { run: toRun(row!), summary };
}

/** Recorded calls by event id (the pane's final figures), limited to this project's playground calls. */
export async function getCallsByIds(db: Db, projectId: string, ids: string[]): Promise<CallMeasurement[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(events)
    .where(and(eq(events.projectId, projectId), inArray(events.id, ids), eq(events.route, PLAYGROUND_ROUTE)));
  return rows.map(measurementOf);
}
