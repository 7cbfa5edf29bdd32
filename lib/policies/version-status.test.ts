import { describe, expect, it } from "vitest";
import { isPendingDraft, shortWhen, versionActions, versionStatus } from "./version-status";

const at = "2026-12-02 14:05:09Z".replace(" ", "T");

describe("version status in the history and the editor", () => {
  it("tells the live version, a version live once, and a draft never live apart", () => {
    expect(versionStatus({ version: 3, wentLiveAt: at }, 3)).toBe("live");
    expect(versionStatus({ version: 2, wentLiveAt: at }, 3)).toBe("past");
    expect(versionStatus({ version: 4, wentLiveAt: null }, 3)).toBe("draft");
    // Made live (its pointer moved to it) it is no draft, whatever its audit says.
    expect(versionStatus({ version: 4, wentLiveAt: null }, 4)).toBe("live");
  });

  it("offers before/after and roll back only for a version that was live, opening a draft instead", () => {
    expect(versionActions({ version: 4, wentLiveAt: null }, 3, true)).toEqual({ compareAt: null, rollback: false, openAsDraft: true });
    expect(versionActions({ version: 2, wentLiveAt: at }, 3, true)).toEqual({ compareAt: at, rollback: true, openAsDraft: false });
    expect(versionActions({ version: 3, wentLiveAt: at }, 3, true)).toEqual({ compareAt: at, rollback: false, openAsDraft: false });
    // A viewer compares, and changes nothing.
    expect(versionActions({ version: 2, wentLiveAt: at }, 3, false)).toEqual({ compareAt: at, rollback: false, openAsDraft: false });
    expect(versionActions({ version: 4, wentLiveAt: null }, 3, false).openAsDraft).toBe(false);
  });

  it("shows an opened draft as a draft only until it is the live version", () => {
    expect(isPendingDraft({ version: 2 }, 1)).toBe(true);
    expect(isPendingDraft({ version: 2 }, 2)).toBe(false);
    expect(isPendingDraft(null, 2)).toBe(false);
  });

  it("shortens a timestamp for the narrow column, the full one kept for the title", () => {
    expect(shortWhen(at, new Date("2026-12-05T00:00:00Z"))).toEqual({ text: "2026-12-02 14:05", title: "2026-12-02 14:05:09 UTC" });
    expect(shortWhen(at, new Date("2026-12-02T23:59:00Z"))).toEqual({ text: "14:05 UTC", title: "2026-12-02 14:05:09 UTC" });
    expect(shortWhen("not a date").text).toBe("—");
  });
});
