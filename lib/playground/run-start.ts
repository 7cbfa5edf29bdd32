import { z } from "zod";
import { AppError } from "../errors";
import { describeConfigIssue, RunRequest } from "./config-schema";

/** Run bodies carry the prompt: a 200 KB prompt fits, a multi-megabyte one is a 413. */
export const RUN_BODY_MAX_BYTES = 1024 * 1024;

export const StartRunBody = z.object({
  experimentId: z.string().min(1).max(64).nullable().default(null),
  name: z.string().max(120).optional(),
  config: z.unknown(),
  n: z.unknown().optional(),
  concurrency: z.unknown().optional(),
});

export type RunStart = { experimentId: string | null; name?: string; request: RunRequest };

/**
 * A run's start, as POST /runs and Run x N's POST /repeat take it: {experimentId?, name?, config,
 * n?, concurrency?}. A bad configuration is a 400 saying what is wrong.
 */
export function parseRunStart(body: unknown): RunStart {
  const envelope = StartRunBody.safeParse(body);
  if (!envelope.success) throw new AppError("bad_request:body", "Send {experimentId?, name?, config, n?, concurrency?}.");
  const parsed = RunRequest.safeParse({ config: envelope.data.config, n: envelope.data.n, concurrency: envelope.data.concurrency });
  if (!parsed.success) throw new AppError("bad_request:config", describeConfigIssue(parsed.error), { details: parsed.error.issues.slice(0, 10) });
  return { experimentId: envelope.data.experimentId, name: envelope.data.name, request: parsed.data };
}
