import { z } from "zod";
import type { FaultRates } from "./faults";
import type { LatencySettings } from "./latency-profiles";

export type SimulatorOptions = LatencySettings & {
  /** Same seed + same request = same reply. Default 0. */
  seed?: number;
  /** Minimum cacheable prompt length per model family prefix, over the defaults. */
  minCacheTokens?: Readonly<Record<string, number>>;
  /** Per model family prefix ("*" = all): probability of each fault per request (demo traffic). */
  faultRates?: Readonly<Record<string, FaultRates>>;
  /** Clock for prompt-cache expiry (tests move it forward). */
  now?: () => number;
  /** Request body cap; the real API takes 32 MB. */
  maxBodyBytes?: number;
};

const number = (schema: z.ZodNumber) => z.preprocess((v) => (v === undefined || v === "" ? undefined : Number(v)), schema.optional());

const EnvOptions = z.object({
  PITWALL_SIMULATOR_SEED: number(z.number().int()),
  PITWALL_SIMULATOR_LATENCY_SCALE: number(z.number().min(0)),
  PITWALL_SIMULATOR_FIXED_LATENCY_MS: number(z.number().min(0)),
  PITWALL_SIMULATOR_DELTA_INTERVAL_MS: number(z.number().min(0)),
});

/**
 * The in-process simulator's settings from the environment. A bad value fails start-up with a
 * message naming the variable rather than silently using a default.
 */
export function simulatorOptionsFromEnv(env: Record<string, string | undefined> = process.env): SimulatorOptions {
  const parsed = EnvOptions.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join(".")}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    seed: e.PITWALL_SIMULATOR_SEED,
    latencyScale: e.PITWALL_SIMULATOR_LATENCY_SCALE,
    fixedLatencyMs: e.PITWALL_SIMULATOR_FIXED_LATENCY_MS,
    deltaIntervalMs: e.PITWALL_SIMULATOR_DELTA_INTERVAL_MS,
  };
}
