import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { events } from "@/db/schema";
import { projectWithKey } from "../auth/testing/project-with-key";
import { llmEvent } from "../events/testing/llm-event";
import { ingestBatch } from "../ingestion/ingest-batch";
import { EventWriter } from "./event-writer";
import { createRecorder } from "./recorder";
import { WorkerEventWriter } from "./worker-event-writer";
import { getSummary } from "../metrics/get-summary";
import { SummaryParams } from "../metrics/schemas";
import { waitFor } from "../gateway/testing/gateway-harness";

/** The recorder on a worker thread needs a Postgres server (PGlite stays in-thread). */
describe.skipIf(!process.env.DATABASE_URL)("WorkerEventWriter (Postgres)", () => {
  let handle: DbHandle & { url?: string };
  let projectId: string;
  let spool: string;
  const settings = () => ({ url: handle.url!, poolMax: 2, spoolDir: spool, batchSize: 100, flushIntervalMs: 20, statsEveryMs: 20, rollupFlusher: false, nice: 10 });
  const inThread = () => new EventWriter({ ingest: (p, evs) => ingestBatch(handle.db, p, evs, { source: "gateway" }), spoolDir: spool, flushIntervalMs: 20 });
  const stored = async (ids: string[]) =>
    (await handle.db.select({ id: events.id }).from(events).where(and(eq(events.projectId, projectId), inArray(events.id, ids)))).length;
  const gwEvent = () => llmEvent({ id: `gw_${Math.random().toString(16).slice(2).padEnd(32, "0").slice(0, 32)}` });

  beforeAll(async () => {
    handle = await createTestDb();
    projectId = (await projectWithKey(handle.db)).project.id;
    spool = await mkdtemp(path.join(os.tmpdir(), "pitwall-worker-spool-"));
  });
  afterAll(async () => {
    await handle?.close();
    await rm(spool, { recursive: true, force: true });
  });

  it.skipIf(process.platform !== "linux")("runs its thread at the nice value it is given, leaving the gateway's thread as it was", async () => {
    const w = new WorkerEventWriter({ ...settings(), nice: 12 }, inThread);
    try {
      await waitFor(async () => w.loweredThreadId !== null, 10_000);
      // Field 19 of /proc/<pid>/task/<tid>/stat is the nice value (after the command in parentheses).
      const niceOf = async (tid: number) => Number((await readFile(`/proc/${process.pid}/task/${tid}/stat`, "utf8")).split(") ")[1]!.split(" ")[16]);
      expect(await niceOf(w.loweredThreadId!)).toBe(12);
      expect(await niceOf(process.pid)).toBe(os.getPriority(0));
      expect(w.loweredThreadId).not.toBe(process.pid);
    } finally {
      await w.close();
    }
  });

  it("is what createRecorder picks on Postgres, and stays in-thread on PGlite and spool-first", async () => {
    const pg = createRecorder(() => handle.db, { kind: "postgres", url: handle.url, spoolDir: spool });
    expect(pg).toBeInstanceOf(WorkerEventWriter);
    await pg.close();
    for (const opts of [{ kind: "pglite" as const }, { kind: "postgres" as const, url: handle.url, spoolFirst: true }, { kind: "postgres" as const, url: handle.url, worker: false }]) {
      const w = createRecorder(() => handle.db, { ...opts, spoolDir: spool });
      expect(w).toBeInstanceOf(EventWriter);
      await w.close();
    }
  });

  it("stores what it records through the worker's own pool; flush waits for the write, stats count it", async () => {
    const writer = new WorkerEventWriter(settings(), inThread);
    const batch = Array.from({ length: 250 }, gwEvent);
    for (const e of batch) writer.record(projectId, e);
    expect(writer.stats().buffered).toBe(250);
    await writer.flush();
    expect(await stored(batch.map((e) => e.id as string))).toBe(250);
    expect(writer.stats()).toMatchObject({ written: 250, buffered: 0, degraded: false });
    const tail = Array.from({ length: 5 }, gwEvent);
    for (const e of tail) writer.record(projectId, e);
    await writer.close(); // stores what is still queued
    expect(await stored(tail.map((e) => e.id as string))).toBe(5);
    expect(writer.stats().written).toBe(255);
  });

  it("spools what a database it cannot reach would not take, and the spool holds it after close", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "pitwall-worker-down-"));
    const writer = new WorkerEventWriter({ ...settings(), url: "postgres://postgres@127.0.0.1:1/none", spoolDir: dir }, inThread);
    for (let i = 0; i < 10; i++) writer.record(projectId, gwEvent());
    await writer.flush();
    // (degraded may read false for a moment: a replay round that finds nothing to claim lets the next flush retry.)
    expect(writer.stats()).toMatchObject({ spooled: 10, dropped: 0, written: 0 });
    await writer.close();
    expect((await readdir(dir)).length).toBeGreaterThan(0);
    await rm(dir, { recursive: true, force: true });
  });

  it("records in the main thread once the worker dies", async () => {
    const writer = new WorkerEventWriter(settings(), inThread);
    const before = gwEvent();
    writer.record(projectId, before);
    await writer.flush();
    await (writer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await new Promise((r) => setTimeout(r, 50));
    const after = Array.from({ length: 3 }, gwEvent);
    for (const e of after) writer.record(projectId, e);
    await writer.close();
    expect(await stored([before.id as string, ...after.map((e) => e.id as string)])).toBe(4);
    expect(writer.stats().written).toBe(4);
  });

  it("folds the rollups on the worker when asked, reports the flusher's figures, and hands folding back when it dies", async () => {
    const { project } = await projectWithKey(handle.db);
    const writer = new WorkerEventWriter({ ...settings(), rollupFlusher: true }, inThread);
    const folder = writer.rollupFolder()!;
    expect(folder).toBeDefined();
    let takenOver = 0;
    folder.onLost(() => takenOver++);
    for (let i = 0; i < 7; i++) writer.record(project.id, gwEvent());
    await writer.flush();
    // No flusher runs on this thread: the dashboards see the events once the worker folded them.
    await waitFor(async () => (await getSummary(handle.db, project.id, SummaryParams.parse({ range: "1h" }))).requests === 7, 15_000);
    await waitFor(() => Number(folder.stats().flushes ?? 0) > 0, 5_000);
    await (writer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await waitFor(() => takenOver === 1, 5_000);
    expect(writer.rollupFolder()).toBeUndefined();
    await writer.close();
  });

  it("runs no flusher unless asked", () => {
    const writer = new WorkerEventWriter(settings(), inThread);
    expect(writer.rollupFolder()).toBeUndefined();
    return writer.close();
  });
});
