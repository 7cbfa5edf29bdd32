type Env = Record<string, string | undefined>;

/** How the segment keeper runs (segment-keeper-start.ts), read from the environment once at start. */
export type KeeperSettings = {
  /** Days kept, counting today; 0: no keeper. */
  days: number;
  /** Between the end of one pass and the start of the next. */
  everyMs: number;
  /** The first pass, after start: the server answers first. */
  firstAfterMs: number;
};

export const DEFAULT_KEEPER_SETTINGS: KeeperSettings = { days: 8, everyMs: 10 * 60_000, firstAfterMs: 10_000 };

function wholeNumber(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number of at least ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * PITWALL_ADVISOR_SEGMENT_DAYS (default 8, 0 turns the keeper off) and
 * PITWALL_ADVISOR_SEGMENT_EVERY_S (default 600, at least 10). A bad value stops start-up with a
 * message naming the setting.
 */
export function keeperSettingsFromEnv(env: Env): KeeperSettings {
  const d = DEFAULT_KEEPER_SETTINGS;
  return {
    days: wholeNumber(env, "PITWALL_ADVISOR_SEGMENT_DAYS", d.days, 0),
    everyMs: wholeNumber(env, "PITWALL_ADVISOR_SEGMENT_EVERY_S", d.everyMs / 1000, 10) * 1000,
    firstAfterMs: d.firstAfterMs,
  };
}
