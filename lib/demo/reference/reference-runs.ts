import type { Db } from "@/db/client";
import { createApiKey, revokeApiKey } from "../../auth/api-keys";
import { AppError } from "../../errors";
import { log } from "../../log";
import type { WorkloadVariant } from "./manifest";
import { runReferenceWorkload, type ReferenceWorkloadResult } from "./run-workload";

/** What the settings page shows of a project's latest reference run. */
export type ReferenceRunStatus = {
  id: string;
  variant: WorkloadVariant;
  state: "running" | "done" | "failed" | "cancelled";
  startedAt: string;
  done: number;
  planned: number;
  /** The run's counts per route once it ended (request ids left out: the page does not need them). */
  result: Omit<ReferenceWorkloadResult, "requestIds"> | null;
  error: string | null;
};

export type StartReferenceRun = {
  db: Db;
  projectId: string;
  /** This server's own base URL (the gateway and ingestion are under it). */
  baseUrl: string;
  variant: WorkloadVariant;
  requests: number;
  seed: number;
  /** The in-process simulator's latency scale, so tool durations and arrival gaps shrink alike. */
  latencyScale: number;
  createdBy?: string;
};

/**
 * The reference workloads running in this server, one per project at a time. Each run gets its
 * own short-lived project key (gateway + ingest), revoked when the run ends, so no key is handed
 * to the browser and none outlives the run.
 */
export class ReferenceRuns {
  private readonly runs = new Map<string, { status: ReferenceRunStatus; controller: AbortController; finished: Promise<void> }>();
  private counter = 0;

  status(projectId: string): ReferenceRunStatus | null {
    return this.runs.get(projectId)?.status ?? null;
  }

  async start(input: StartReferenceRun): Promise<ReferenceRunStatus> {
    if (this.runs.get(input.projectId)?.status.state === "running") {
      throw new AppError("conflict:reference_run", "A reference workload is already running in this project; wait for it or cancel it.");
    }
    const controller = new AbortController();
    const status: ReferenceRunStatus = {
      id: `ref_${Date.now().toString(36)}_${(this.counter++).toString(36)}`,
      variant: input.variant,
      state: "running",
      startedAt: new Date().toISOString(),
      done: 0,
      planned: input.requests,
      result: null,
      error: null,
    };
    // Claimed before the first await, so two clicks at once start one run.
    let release!: () => void;
    const entry = { status, controller, finished: new Promise<void>((r) => (release = r)) };
    this.runs.set(input.projectId, entry);
    let key: { id: string; secret: string };
    try {
      key = await createApiKey(input.db, { projectId: input.projectId, name: "reference workload (temporary)", scopes: ["gateway", "ingest"], createdBy: input.createdBy });
    } catch (err) {
      status.state = "failed";
      status.error = "Could not create the run's key.";
      release();
      throw err;
    }
    void runReferenceWorkload({
      baseUrl: input.baseUrl,
      apiKey: key.secret,
      variant: input.variant,
      seed: input.seed,
      requests: input.requests,
      latencyScale: input.latencyScale,
      signal: controller.signal,
      onCall: (done, planned) => {
        status.done = done;
        status.planned = planned;
      },
    })
      .then(({ requestIds: _ids, ...result }) => {
        status.result = result;
        status.state = controller.signal.aborted ? "cancelled" : "done";
      })
      .catch((err: unknown) => {
        log.error({ err }, "reference workload failed");
        status.state = "failed";
        status.error = "The workload stopped with an error; the server log has the details.";
      })
      .then(() => revokeApiKey(input.db, { projectId: input.projectId, keyId: key.id }))
      .catch((err: unknown) => log.error({ err }, "could not revoke the reference workload key"))
      .finally(release);
    return status;
  }

  cancel(projectId: string): ReferenceRunStatus | null {
    const run = this.runs.get(projectId);
    if (run?.status.state === "running") run.controller.abort();
    return run?.status ?? null;
  }

  /** Server shutdown: stop every run and wait until their keys are revoked. */
  async close(): Promise<void> {
    for (const run of this.runs.values()) run.controller.abort();
    await Promise.allSettled([...this.runs.values()].map((r) => r.finished));
  }
}
