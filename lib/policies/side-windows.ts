// Pure and browser-safe: the API cuts the windows with it and the before/after table words them.

/** A version of either policy that went live near the change being measured. */
export type NeighbourChange = { kind: "routing" | "cache"; version: number; at: Date };

export type SideWindows = {
  from: Date;
  to: Date;
  beforeSeconds: number;
  afterSeconds: number;
  /** The change the before side stops at (it would otherwise count that change's effect), if any. */
  cutBefore: NeighbourChange | null;
  /** The change the after side stops at, if any. */
  cutAfter: NeighbourChange | null;
};

/**
 * The two windows around a change at `at`: `seconds` each side (no further than now, on both sides
 * alike), then each side cut at the nearest other change, so a delta is never credited to a change
 * for what its neighbour did. Changes at the very same instant cannot be told apart and do not cut.
 */
export function sideWindows(p: { at: Date; seconds: number; now: Date; changes: readonly NeighbourChange[] }): SideWindows {
  const at = p.at.getTime();
  const seconds = Math.max(0, Math.min(p.seconds, Math.floor((p.now.getTime() - at) / 1000)));
  let from = at - seconds * 1000;
  let to = at + seconds * 1000;
  let cutBefore: NeighbourChange | null = null;
  let cutAfter: NeighbourChange | null = null;
  for (const c of p.changes) {
    const t = c.at.getTime();
    if (t < at && t > from) {
      from = t;
      cutBefore = c;
    } else if (t > at && t < to) {
      to = t;
      cutAfter = c;
    }
  }
  return { from: new Date(from), to: new Date(to), beforeSeconds: Math.round((at - from) / 1000), afterSeconds: Math.round((to - at) / 1000), cutBefore, cutAfter };
}

/** A side of the answer as the deltas API sends it (dates as ISO strings). */
export type SideWindowJson = { seconds: number; cutAt: { kind: "routing" | "cache"; version: number; at: string } | null };

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}

const cutText = (side: "before" | "after", c: NonNullable<SideWindowJson["cutAt"]>) =>
  `${side === "before" ? "starts" : "stops"} at ${c.kind} v${c.version}, live ${c.at.slice(11, 19)} UTC`;

/**
 * What the table says about its windows: each side's length, and which neighbouring change cut a
 * side short, so a reader knows the delta covers this change alone.
 */
export function describeSideWindows(p: { requestedSeconds: number; before: SideWindowJson; after: SideWindowJson }): string {
  const { before, after } = p;
  const parts: string[] = [];
  if (before.seconds === after.seconds && !before.cutAt && !after.cutAt) {
    parts.push(`${duration(before.seconds)} on each side`);
    if (before.seconds < p.requestedSeconds) parts.push("(shortened: the change is more recent than the window)");
    return `${parts.join(" ")}.`;
  }
  const side = (name: "before" | "after", s: SideWindowJson) => `${duration(s.seconds)} ${name}${s.cutAt ? ` (${cutText(name, s.cutAt)})` : ""}`;
  parts.push(`${side("before", before)}, ${side("after", after)}`);
  if (before.cutAt || after.cutAt) parts.push("— cut at the neighbouring change so its effect is not counted here.");
  else parts.push("(shortened: the change is more recent than the window).");
  return parts.join(" ");
}
