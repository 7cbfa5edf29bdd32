import { z } from "zod";

export type ShutdownSettings = {
  /** How long calls in flight may run after a stop signal before they are ended. */
  graceMs: number;
  /** How long flushing the recorder (database, else spool) and closing may take after that. */
  flushMs: number;
};

const ms = (fallback: number) =>
  z.preprocess((v) => (v === undefined || v === "" ? undefined : Number(v)), z.number().int().min(0).max(3_600_000).default(fallback));

const EnvSettings = z.object({
  PITWALL_SHUTDOWN_GRACE_MS: ms(30_000),
  PITWALL_SHUTDOWN_FLUSH_MS: ms(10_000),
});

/** From the environment; a bad value stops start-up with a message naming the variable. */
export function shutdownSettingsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): ShutdownSettings {
  const parsed = EnvSettings.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join(".")}: ${issue.message} (milliseconds, 0 to 3600000)`);
  }
  return { graceMs: parsed.data.PITWALL_SHUTDOWN_GRACE_MS, flushMs: parsed.data.PITWALL_SHUTDOWN_FLUSH_MS };
}
