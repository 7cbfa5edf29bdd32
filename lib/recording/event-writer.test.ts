import { mkdtemp, open, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { events as eventsTable } from "@/db/schema";
import { createTestDb } from "@/db/test-db";
import { ingestBatch } from "../ingestion/ingest-batch";
import { llmEvent } from "../events/testing/llm-event";
import { projectWithKey } from "../auth/testing/project-with-key";
import { EventWriter, type IngestFn } from "./event-writer";

let handle: DbHandle;
let projectId: string;
const dirs: string[] = [];
const writers: EventWriter[] = [];

beforeAll(async () => {
  handle = await createTestDb();
  ({ project: { id: projectId } } = await projectWithKey(handle.db));
});
afterEach(async () => {
  for (const w of writers.splice(0)) await w.close();
});
afterAll(async () => {
  await handle?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), "pitwall-spool-"));
  dirs.push(d);
  return d;
}

/** ingestBatch into the test database, failing like a dead connection while `down` is set. */
function switchableIngest() {
  const state = { down: false, calls: 0 };
  const ingest: IngestFn = async (pid, events) => {
    state.calls++;
    if (state.down) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    return ingestBatch(handle.db, pid, events);
  };
  return { state, ingest };
}

function writer(opts: Partial<ConstructorParameters<typeof EventWriter>[0]> & { ingest: IngestFn; spoolDir: string }): EventWriter {
  const w = new EventWriter({ flushIntervalMs: 20, retryMinMs: 20, retryMaxMs: 100, ...opts });
  writers.push(w);
  return w;
}

async function countIds(ids: string[]): Promise<Map<string, number>> {
  const rows = await handle.db
    .select({ id: eventsTable.id })
    .from(eventsTable)
    .where(and(eq(eventsTable.projectId, projectId), inArray(eventsTable.id, ids)));
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
  return counts;
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("EventWriter", () => {
  it("writes recorded events to the database in batches, off the caller's path", async () => {
    const { state, ingest } = switchableIngest();
    const w = writer({ ingest, spoolDir: await tempDir(), batchSize: 50 });
    const events = Array.from({ length: 120 }, () => llmEvent());
    for (const e of events) w.record(projectId, e);
    expect(state.calls).toBe(0); // record() itself never writes
    await w.flush();
    const counts = await countIds(events.map((e) => e.id as string));
    expect(counts.size).toBe(120);
    expect(w.stats()).toMatchObject({ buffered: 0, spooled: 0, dropped: 0, written: 120, degraded: false });
    expect(state.calls).toBe(3); // 50 + 50 + 20
  });

  it("spools to disk while the database is down and replays every event exactly once when it returns", async () => {
    const { state, ingest } = switchableIngest();
    const dir = await tempDir();
    const w = writer({ ingest, spoolDir: dir, batchSize: 10 });
    const before = Array.from({ length: 5 }, () => llmEvent());
    for (const e of before) w.record(projectId, e);
    await w.flush();

    state.down = true;
    const during = Array.from({ length: 37 }, () => llmEvent());
    for (const e of during) w.record(projectId, e);
    await w.flush();
    expect(w.stats()).toMatchObject({ buffered: 0, spooled: 37, dropped: 0, degraded: true });
    expect((await readdir(dir)).length).toBeGreaterThan(0);

    state.down = false;
    const after = Array.from({ length: 8 }, () => llmEvent());
    for (const e of after) w.record(projectId, e);
    await waitFor(() => w.stats().spooled === 0 && w.stats().buffered === 0 && !w.stats().degraded);
    await w.flush();

    const all = [...before, ...during, ...after].map((e) => e.id as string);
    const counts = await countIds(all);
    expect(counts.size).toBe(all.length);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it("replays a spool left behind by a dead process on start, skipping a torn last line", async () => {
    const dir = await tempDir();
    const left = [llmEvent(), llmEvent()];
    const lines = left.map((e) => JSON.stringify({ p: projectId, e })).join("\n");
    // pid 4194305 is above Linux's pid_max, so its owner is certainly gone.
    await writeFile(path.join(dir, "spool-1.4194305-dead.0.jsonl"), `${lines}\n{"p":"${projectId}","e":{"id":"to`);
    const { ingest } = switchableIngest();
    writer({ ingest, spoolDir: dir });
    await waitFor(async () => (await readdir(dir)).length === 0);
    const counts = await countIds(left.map((e) => e.id as string));
    expect(counts.size).toBe(2);
  });

  it("leaves the spool files of another live writer alone", async () => {
    const dir = await tempDir();
    const a = switchableIngest();
    const wa = writer({ ingest: a.ingest, spoolDir: dir });
    a.state.down = true;
    wa.record(projectId, llmEvent());
    await wa.flush();
    expect(wa.stats().spooled).toBe(1);
    const b = switchableIngest();
    const wb = writer({ ingest: b.ingest, spoolDir: dir });
    await new Promise((r) => setTimeout(r, 100));
    expect(b.state.calls).toBe(0); // b saw a's file and did not claim it
    expect(wb.stats().spooled).toBe(0);
    expect((await readdir(dir)).length).toBe(1);
  });

  it("is idempotent: replaying events already stored adds nothing", async () => {
    const dir = await tempDir();
    const e = llmEvent();
    await ingestBatch(handle.db, projectId, [e]);
    await writeFile(path.join(dir, "spool-1.4194305-dead.0.jsonl"), `${JSON.stringify({ p: projectId, e })}\n`);
    const { ingest } = switchableIngest();
    writer({ ingest, spoolDir: dir });
    await waitFor(async () => (await readdir(dir)).length === 0);
    expect((await countIds([e.id as string])).get(e.id as string)).toBe(1);
  });

  it("bounds memory: with the database down and the disk failing, excess events are counted as dropped", async () => {
    const dir = await tempDir();
    const blocked = path.join(dir, "not-a-dir");
    await writeFile(blocked, "x"); // mkdir under a file fails, so every spool append fails
    const { state, ingest } = switchableIngest();
    state.down = true;
    const w = writer({ ingest, spoolDir: path.join(blocked, "spool"), maxBuffered: 20, batchSize: 5 });
    for (let i = 0; i < 50; i++) w.record(projectId, llmEvent());
    await w.flush();
    const s = w.stats();
    expect(s.buffered).toBeLessThanOrEqual(20);
    expect(s.dropped).toBeGreaterThanOrEqual(30);
    expect(s.buffered + s.dropped).toBe(50);
    // The database returns while the disk is still broken: what was kept in memory gets written.
    state.down = false;
    await waitFor(() => w.stats().buffered === 0);
    expect(w.stats()).toMatchObject({ written: s.buffered, dropped: s.dropped, degraded: false });
  });

  it("overflows to the spool, dropping nothing, when the database is slower than the traffic", async () => {
    const dir = await tempDir();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ingest: IngestFn = async (pid, evs) => {
      await gate; // a database that takes its time
      return ingestBatch(handle.db, pid, evs);
    };
    const w = writer({ ingest, spoolDir: dir, maxBuffered: 40, batchSize: 5 });
    const events = Array.from({ length: 120 }, () => llmEvent());
    try {
      for (const e of events) {
        w.record(projectId, e);
        await new Promise((r) => setTimeout(r, 2)); // traffic arrives over time
      }
      expect(w.stats().dropped).toBe(0);
      expect(w.stats().spooled).toBeGreaterThan(0);
      expect(w.stats().buffered).toBeLessThanOrEqual(40 + 20);
    } finally {
      release();
    }
    await waitFor(() => w.stats().buffered === 0 && w.stats().spooled === 0);
    const counts = await countIds(events.map((e) => e.id as string));
    expect(counts.size).toBe(120);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it("flushes what it holds on close, and spools it when the database is down", async () => {
    const dir = await tempDir();
    const { state, ingest } = switchableIngest();
    const w = new EventWriter({ ingest, spoolDir: dir, flushIntervalMs: 60_000 });
    const e1 = llmEvent();
    w.record(projectId, e1);
    await w.close();
    expect((await countIds([e1.id as string])).size).toBe(1);

    state.down = true;
    const w2 = new EventWriter({ ingest, spoolDir: dir, flushIntervalMs: 60_000 });
    w2.record(projectId, llmEvent());
    await w2.close();
    expect((await readdir(dir)).length).toBe(1);
  });
});

describe("EventWriter: failures that are not outages", () => {
  it("a batch refused for a reason other than an outage does not degrade the writer; the other events in it go in", async () => {
    const dir = await tempDir();
    const bad = llmEvent();
    let calls = 0;
    const ingest: IngestFn = async (pid, evs) => {
      calls++;
      // A bug-shaped failure (no connection code): thrown whenever the bad event is in the batch.
      if (evs.some((e) => e.id === bad.id)) throw new Error("value out of range for a rollup sum");
      return ingestBatch(handle.db, pid, evs);
    };
    const w = writer({ ingest, spoolDir: dir, batchSize: 10, maxReplayAttempts: 2 });
    const good = Array.from({ length: 9 }, () => llmEvent());
    for (const e of [...good.slice(0, 4), bad, ...good.slice(4)]) w.record(projectId, e);
    await w.flush();
    expect(w.stats().degraded).toBe(false);
    expect((await countIds(good.map((e) => e.id as string))).size).toBe(9);
    // Later events go straight to the database, not to the spool.
    const later = llmEvent();
    w.record(projectId, later);
    await w.flush();
    expect((await countIds([later.id as string])).size).toBe(1);
    expect(calls).toBeGreaterThan(10); // the batch, then its events one by one
  });

  it("a spool file that keeps failing is set aside after N tries and does not block the files behind it", async () => {
    const dir = await tempDir();
    const bad = llmEvent();
    const after = llmEvent();
    // Two files left by a dead process: the older holds an event the database always refuses.
    await writeFile(path.join(dir, "spool-1.4194305-dead.0.jsonl"), `${JSON.stringify({ p: projectId, e: bad })}\n`);
    await writeFile(path.join(dir, "spool-2.4194305-dead.1.jsonl"), `${JSON.stringify({ p: projectId, e: after })}\n`);
    const ingest: IngestFn = async (pid, evs) => {
      if (evs.some((e) => e.id === bad.id)) throw Object.assign(new Error("duplicate key value violates unique constraint"), { code: "23505" });
      return ingestBatch(handle.db, pid, evs);
    };
    const w = writer({ ingest, spoolDir: dir, maxReplayAttempts: 3 });
    // The file behind the failing one is replayed in the first round, not after the set-aside.
    await waitFor(async () => (await countIds([after.id as string])).size === 1, 5_000);
    await waitFor(() => w.stats().setAside === 1, 10_000);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.failed$/);
    expect(w.stats()).toMatchObject({ spooled: 0, setAside: 1, degraded: false });
  });

  it("an outage during replay never counts toward setting a file aside", async () => {
    const dir = await tempDir();
    const e = llmEvent();
    await writeFile(path.join(dir, "spool-1.4194305-dead.0.jsonl"), `${JSON.stringify({ p: projectId, e })}\n`);
    const { state, ingest } = switchableIngest();
    state.down = true;
    const w = writer({ ingest, spoolDir: dir, maxReplayAttempts: 2, retryMaxMs: 20 });
    await waitFor(() => state.calls >= 6, 5_000);
    expect(w.stats().setAside).toBe(0);
    state.down = false;
    await waitFor(async () => (await countIds([e.id as string])).size === 1, 5_000);
    // The replayed file is removed after its insert commits, so it can still be there the moment the row shows (seen once in CI).
    await waitFor(async () => (await readdir(dir)).length === 0, 5_000);
    expect(await readdir(dir)).toEqual([]);
    expect(w.stats().setAside).toBe(0);
  });
});

describe("EventWriter: a full disk", () => {
  /** Spool files on a disk with `disk.free` bytes left: a write takes what fits, then fails with ENOSPC. */
  function fillingDisk(disk: { free: number }) {
    return async (file: string) => {
      const real = await open(file, "wx", 0o600);
      let size = 0;
      return {
        write: async (buf: Buffer, offset: number, length: number, position: number) => {
          const n = Math.min(length, disk.free);
          if (n === 0) throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
          const r = await real.write(buf, offset, n, position);
          disk.free -= n;
          size = Math.max(size, position + n);
          return r;
        },
        datasync: () => real.datasync(),
        truncate: async (len: number) => {
          await real.truncate(len);
          disk.free += Math.max(0, size - len);
          size = len;
        },
        close: () => real.close(),
      };
    };
  }

  async function spoolLines(dir: string): Promise<string[]> {
    const files = (await readdir(dir)).filter((f) => f.startsWith("spool-"));
    return (await Promise.all(files.map((f) => readFile(path.join(dir, f), "utf8")))).join("").split("\n").filter(Boolean);
  }

  it("a short write is undone and the loss counted and logged; the spool stays readable and later appends are intact", async () => {
    const dir = await tempDir();
    const disk = { free: 1 << 20 };
    const { state, ingest } = switchableIngest();
    state.down = true;
    // No timer flushes: a retry racing the checks below would hold the disk mid-append.
    const w = writer({ ingest, spoolDir: dir, batchSize: 5, maxBuffered: 5, openSpoolFile: fillingDisk(disk), flushIntervalMs: 60_000, retryMinMs: 60_000, retryMaxMs: 60_000 });
    const first = Array.from({ length: 5 }, () => llmEvent());
    for (const e of first) w.record(projectId, e);
    await w.flush();
    expect(w.stats().spooled).toBe(5);

    // The disk fills up partway through the next append (half a line fits).
    disk.free = 100;
    for (let i = 0; i < 5; i++) w.record(projectId, llmEvent());
    await w.flush();
    for (let i = 0; i < 5; i++) w.record(projectId, llmEvent()); // memory is full too: lost, and counted
    await w.flush();
    await new Promise((r) => setTimeout(r, 50));
    const afterFull = w.stats();
    expect(afterFull.dropped).toBeGreaterThan(0);
    expect(afterFull.buffered + afterFull.dropped).toBe(10);
    // Nothing torn was left behind: the spool holds exactly the first append, every line whole.
    expect(disk.free).toBe(100);
    const before = await spoolLines(dir);
    expect(before.map((l) => (JSON.parse(l) as { e: { id: string } }).e.id).sort()).toEqual(first.map((e) => e.id as string).sort());

    // Space again: what was kept in memory lands on a clean line boundary.
    disk.free = 1 << 20;
    await w.flush();
    const lines = await spoolLines(dir);
    expect(lines.every((l) => typeof (JSON.parse(l) as { p: string }).p === "string")).toBe(true);
    expect(lines.length).toBe(5 + afterFull.buffered);
  });
});

describe("EventWriter: shutdown", () => {
  it("close with a hurry signal stops waiting on a hung database and spools what it has not confirmed", async () => {
    const dir = await tempDir();
    const hung: IngestFn = () => new Promise(() => {}); // a database that never answers
    const w = new EventWriter({ ingest: hung, spoolDir: dir, flushIntervalMs: 20 });
    const evs = Array.from({ length: 7 }, () => llmEvent());
    for (const e of evs) w.record(projectId, e);
    await new Promise((r) => setTimeout(r, 60)); // the timer has handed them to the database
    const hurry = new AbortController();
    setTimeout(() => hurry.abort(), 50);
    const t = Date.now();
    await w.close({ hurry: hurry.signal });
    expect(Date.now() - t).toBeLessThan(2_000);
    const files = await readdir(dir);
    const lines = (await Promise.all(files.map((f) => readFile(path.join(dir, f), "utf8")))).join("").split("\n").filter(Boolean);
    expect(lines.map((l) => (JSON.parse(l) as { e: { id: string } }).e.id).sort()).toEqual(evs.map((e) => e.id as string).sort());
    // The next writer on this directory stores them.
    const { ingest } = switchableIngest();
    writer({ ingest, spoolDir: dir });
    await waitFor(async () => (await countIds(evs.map((e) => e.id as string))).size === 7, 5_000);
  });
});

describe("EventWriter: spool-first", () => {
  it("journals each event as it is recorded, so a crash before the database write loses nothing", async () => {
    const dir = await tempDir();
    const hung: IngestFn = () => new Promise(() => {});
    const w = new EventWriter({ ingest: hung, spoolDir: dir, spoolFirst: true, flushIntervalMs: 60_000 });
    const evs = Array.from({ length: 3 }, () => llmEvent());
    for (const e of evs) w.record(projectId, e);
    // Written synchronously by record(), before any flush: what a crash right now would leave.
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    const crashed = path.join(dir, files[0]!);
    const lines = (await readFile(crashed, "utf8")).split("\n").filter(Boolean);
    expect(lines).toHaveLength(3);
    // Simulate the crash: the file now belongs to a dead process; the next start replays it. The
    // restart gets a directory of its own holding that file: the crashed writer is still alive in
    // this test, and its own replay loop, run late on a loaded machine, would claim a dead owner's
    // file itself (and hold it on its hung database).
    const restartDir = await tempDir();
    await rename(crashed, path.join(restartDir, "spool-1.4194305-dead.0.jsonl"));
    const { ingest } = switchableIngest();
    writer({ ingest, spoolDir: restartDir });
    await waitFor(async () => (await countIds(evs.map((e) => e.id as string))).size === 3, 5_000);
    void w; // the crashed writer is never closed
  });

  it("removes a journal segment once its events are stored", async () => {
    const dir = await tempDir();
    const { ingest } = switchableIngest();
    const w = writer({ ingest, spoolDir: dir, spoolFirst: true });
    const evs = Array.from({ length: 4 }, () => llmEvent());
    for (const e of evs) w.record(projectId, e);
    expect((await readdir(dir)).length).toBe(1);
    await w.flush();
    await w.close();
    expect(await readdir(dir)).toEqual([]);
    expect((await countIds(evs.map((e) => e.id as string))).size).toBe(4);
  });
});
