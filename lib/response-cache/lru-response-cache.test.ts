import { describe, expect, it } from "vitest";
import { LruResponseCache } from "./lru-response-cache";
import { entryBytes } from "./response-cache";
import { cachedMessage } from "./testing/cached-message";

const P = "project-a";

describe("LruResponseCache", () => {
  it("returns a stored entry with its expiry, only to its project", async () => {
    let now = 1_000_000;
    const lru = new LruResponseCache({ now: () => now });
    const entry = cachedMessage(P);
    expect(await lru.set("k", entry, 60)).toBe(true);
    expect(await lru.get("k", P)).toEqual({ ...entry, expiresAt: now + 60_000 });
    expect(await lru.get("k", "project-b")).toBeNull();
    expect(await lru.get("other", P)).toBeNull();
    now += 60_000;
    expect(await lru.get("k", P)).toBeNull();
    expect(lru.size).toBe(0);
  });

  it("evicts the least recently used entries past the byte budget", async () => {
    const one = entryBytes(cachedMessage(P, { textChars: 1000 }));
    const lru = new LruResponseCache({ maxBytes: one * 3 + 10 });
    for (const k of ["a", "b", "c"]) await lru.set(k, cachedMessage(P, { textChars: 1000 }), 60);
    expect(await lru.get("a", P)).not.toBeNull(); // a is now the most recent
    await lru.set("d", cachedMessage(P, { textChars: 1000 }), 60);
    expect(await lru.get("b", P)).toBeNull();
    for (const k of ["a", "c", "d"]) expect(await lru.get(k, P), k).not.toBeNull();
    expect(lru.totalBytes).toBeLessThanOrEqual(one * 3 + 10);
  });

  it("refuses entries over the size cap and non-positive TTLs", async () => {
    const lru = new LruResponseCache({ maxEntryBytes: 2000 });
    expect(await lru.set("big", cachedMessage(P, { textChars: 5000 }), 60)).toBe(false);
    expect(await lru.set("zero", cachedMessage(P), 0)).toBe(false);
    expect(lru.size).toBe(0);
  });

  it("replaces an entry under the same key without leaking bytes", async () => {
    const lru = new LruResponseCache();
    await lru.set("k", cachedMessage(P, { text: "one" }), 60);
    const second = cachedMessage(P, { text: "a longer second answer" });
    await lru.set("k", second, 60);
    expect(lru.size).toBe(1);
    expect(lru.totalBytes).toBe(entryBytes(second));
    expect((await lru.get("k", P))?.message.content).toEqual([{ type: "text", text: "a longer second answer" }]);
  });

  it("keeps a copy's absolute expiry (put) and ages entries on its clock", async () => {
    let now = 5_000_000;
    const lru = new LruResponseCache({ now: () => now });
    expect(lru.put("k", cachedMessage(P), now + 1_500)).toBe(true);
    expect(lru.put("past", cachedMessage(P), now)).toBe(false);
    now += 1_499;
    expect((await lru.get("k", P))?.expiresAt).toBe(5_001_500);
    now += 1;
    expect(await lru.get("k", P)).toBeNull();
    expect(lru.size).toBe(0);
  });

  it("a probe from another project does not make an entry recent", async () => {
    const one = entryBytes(cachedMessage(P, { textChars: 1000 }));
    const lru = new LruResponseCache({ maxBytes: one * 2 + 10 });
    await lru.set("a", cachedMessage(P, { textChars: 1000 }), 60);
    await lru.set("b", cachedMessage(P, { textChars: 1000 }), 60);
    expect(await lru.get("a", "project-b")).toBeNull();
    await lru.set("c", cachedMessage(P, { textChars: 1000 }), 60);
    expect(await lru.get("a", P)).toBeNull();
    expect(await lru.get("b", P)).not.toBeNull();
  });
});
