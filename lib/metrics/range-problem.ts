// Pure and browser-safe: why the range in a dashboard URL cannot be used, said next to the range
// picker. The dashboards then show the last 24 hours; a bad link must not pass for a good one.
import { RANGE_PRESETS } from "./time-range";

const PRESETS = Object.keys(RANGE_PRESETS);
const FALLBACK = "showing the last 24 hours";

/** The URL's own strings, before parsing replaced anything bad with the default. */
export type RawRangeParams = { range: string | null; from: string | null; to: string | null };

const badDate = (v: string | null) => v !== null && Number.isNaN(Date.parse(v));

/** A sentence naming what is wrong with the URL's range, or null when it is usable as given. */
export function rangeProblem(raw: RawRangeParams): string | null {
  if (raw.range !== null && raw.range !== "custom" && !PRESETS.includes(raw.range)) {
    return `range "${raw.range}" is not one of ${PRESETS.join(", ")} or custom — ${FALLBACK}`;
  }
  if (badDate(raw.from)) return `from "${raw.from}" is not a date and time — ${FALLBACK}`;
  if (badDate(raw.to)) return `to "${raw.to}" is not a date and time — ${FALLBACK}`;
  if (raw.from !== null && raw.to !== null && Date.parse(raw.from) >= Date.parse(raw.to)) return `from must be before to — ${FALLBACK}`;
  if (raw.range === "custom" && (raw.from === null || raw.to === null)) return `a custom range needs both from and to — ${FALLBACK}`;
  return null;
}
