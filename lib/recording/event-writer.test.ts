import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { events as eventsTable } from "@/db/schema";
import { createTestDb } from "@/db/test-db";
import { ingestBatch } from "../ingestion/ingest-batch";
import { llmEvent, projectWithKey } from "../testing/fixtures";
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
