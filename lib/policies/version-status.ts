/**
 * How the editor and the history present a stored version (client-safe, unit-tested): live now,
 * live once, or a draft that was never live. Only a version that was live has a moment to compare
 * before/after and a state to roll back to; a draft is opened in the editor instead.
 */
export type VersionStatus = "live" | "past" | "draft";

export function versionStatus(v: { version: number; wentLiveAt: string | null }, liveVersion: number): VersionStatus {
  if (v.version === liveVersion) return "live";
  return v.wentLiveAt === null ? "draft" : "past";
}

export type VersionActions = { compareAt: string | null; rollback: boolean; openAsDraft: boolean };

/** What the history offers on a version; `canEdit` gates what changes anything. */
export function versionActions(v: { version: number; wentLiveAt: string | null }, liveVersion: number, canEdit: boolean): VersionActions {
  const status = versionStatus(v, liveVersion);
  return {
    compareAt: status === "draft" ? null : v.wentLiveAt,
    rollback: canEdit && status === "past",
    openAsDraft: canEdit && status === "draft",
  };
}

/** An opened draft (?draft=N) is a draft only until it goes live; then the editor shows it as live. */
export function isPendingDraft(openDraft: { version: number } | null | undefined, liveVersion: number): boolean {
  return openDraft !== null && openDraft !== undefined && openDraft.version !== liveVersion;
}

/**
 * A history timestamp that fits a narrow column: the time, with the date only when it is not
 * today (UTC, as everywhere on the server-rendered page); the full timestamp goes in a title.
 */
export function shortWhen(at: string, now: Date = new Date()): { text: string; title: string } {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return { text: "—", title: at };
  const iso = d.toISOString();
  const title = `${iso.slice(0, 19).replace("T", " ")} UTC`;
  const sameDay = iso.slice(0, 10) === now.toISOString().slice(0, 10);
  return { text: sameDay ? `${iso.slice(11, 16)} UTC` : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`, title };
}
