import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite, type DbHandle } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { events } from "@/db/schema";
import { createTestDb } from "@/db/test-db";
import { projectWithKey } from "../auth/testing/project-with-key";

/**
 * A deploy must not cut every stream: the real server process (scripts/bench/hot-server.ts: the
 * hot paths with server.ts's shutdown) with its in-process simulator as the upstream, pacing
 * stream deltas 400 ms apart so calls are in flight when the signal comes.
 */
const CALLS = 50;
const GRACE_MS = 2_500;
let dir: string;
let db: (DbHandle & { url?: string }) | undefined;
let pgliteDir: string | undefined;
let key: string;
let projectId: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "pitwall-shutdown-"));
  if (process.env.DATABASE_URL) {
    db = await createTestDb();
    ({ key, project: { id: projectId } } = await projectWithKey(db.db));
  } else {
    // PGlite is one process at a time: set up here, closed while the server runs.
    pgliteDir = path.join(dir, "pglite");
    const h = openPglite(pgliteDir);
    await runMigrations(h);
    ({ key, project: { id: projectId } } = await projectWithKey(h.db));
    await h.close();
  }
}, 120_000);
afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

type Server = { child: ChildProcess; url: string; exited: Promise<number | null> };

async function startServer(spoolDir: string, env: Record<string, string> = {}): Promise<Server> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: "warn",
    PITWALL_SPOOL_DIR: spoolDir,
    PITWALL_SHUTDOWN_GRACE_MS: String(GRACE_MS),
    PITWALL_SIMULATOR_FIXED_LATENCY_MS: "0",
    // A short reply (max_tokens 6) ends within ~1.6 s, a long one (40+ tokens) takes 3 s or more.
    PITWALL_SIMULATOR_DELTA_INTERVAL_MS: "400",
    PITWALL_ROLLUP_FLUSHER: "0",
    ...env,
  };
  delete childEnv.ANTHROPIC_API_KEY;
  delete childEnv.PITWALL_UPSTREAM_URL;
  if (db?.url) childEnv.DATABASE_URL = db.url;
  else {
    delete childEnv.DATABASE_URL;
    childEnv.PITWALL_DATA_DIR = pgliteDir;
  }
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench/hot-server.ts"], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code, signal) => {
      children.delete(child);
      if (signal) stderr += `\n(killed by ${signal})`;
      resolve(code);
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    void exited.then((code) => reject(new Error(`server exited ${code} before listening: ${stderr.slice(-2000)}`)));
  });
  void exited.then((code) => {
    if (code !== 0) console.error(`server exited ${code}: ${stderr.slice(-3000)}`);
  });
  return { child, url: `http://127.0.0.1:${port}`, exited };
}

type CallResult = { id: string; outcome: "complete" | "error_event" | "other"; detail?: string };

/** Starts `CALLS` streams (half short, half far longer than the grace period); resolves once each has text. */
async function startStreams(url: string): Promise<{ started: Promise<void>; results: Promise<CallResult[]> }> {
  const client = new Anthropic({ baseURL: `${url}/gateway`, apiKey: key, maxRetries: 0 });
  const started: Promise<void>[] = [];
  const results: Promise<CallResult>[] = [];
  for (let i = 0; i < CALLS; i++) {
    const long = i % 2 === 1;
    const stream = client.messages.stream({
      model: "claude-haiku-4-5",
      max_tokens: long ? 4000 : 6,
      messages: [{ role: "user", content: `${long ? "Write a long essay" : "Say hi"} (call ${i}).` }],
    });
    const response = stream.withResponse().then((r) => r.response.headers.get("x-pitwall-request-id")!);
    started.push(new Promise((resolve) => stream.once("text", () => resolve())));
    results.push(
      stream.finalMessage().then(
        async () => ({ id: await response, outcome: "complete" as const }),
        async (err: unknown) => {
          const body = (err as { error?: { error?: { type?: string } } }).error;
          const outcome = body?.error?.type === "overloaded_error" ? ("error_event" as const) : ("other" as const);
          return { id: await response.catch(() => "?"), outcome, detail: String(err) };
        },
      ),
    );
  }
  return { started: Promise.all(started).then(() => {}), results: Promise.all(results) };
}

async function storedEvents(ids: string[]) {
  const read = async (h: DbHandle) =>
    h.db
      .select({ id: events.id, status: events.status, errorType: events.errorType })
      .from(events)
      .where(and(eq(events.projectId, projectId), inArray(events.id, ids)));
  if (db) return read(db);
  const h = openPglite(pgliteDir);
  try {
    return await read(h);
  } finally {
    await h.close();
  }
}

/** Starts the server again on the same data and spool, lets it replay the spool, stops it cleanly. */
async function restartAndStop(spoolDir: string): Promise<void> {
  const again = await startServer(spoolDir);
  const deadline = Date.now() + 60_000;
  while ((await readdir(spoolDir).catch(() => [])).some((f) => f.startsWith("spool-")) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  again.child.kill("SIGTERM");
  expect(await again.exited).toBe(0);
}

function newConnectionRefused(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/api/health`, { agent: false }, (res) => {
      res.resume();
      resolve(false);
    });
    req.once("error", () => resolve(true));
  });
}

function expectOneEventPerCall(results: CallResult[], rows: Awaited<ReturnType<typeof storedEvents>>): void {
  const byId = new Map(rows.map((r) => [r.id, r]));
  expect(rows.length).toBe(CALLS);
  for (const r of results) {
    const row = byId.get(r.id);
    expect(row, r.id).toBeDefined();
    if (r.outcome === "complete") expect(row).toMatchObject({ status: "ok" });
    else expect(row).toMatchObject({ status: "error", errorType: "gateway_shutdown" });
  }
}

describe("graceful shutdown of the server process", () => {
  it(`SIGTERM (repeated at once, as a wrapper would) with ${CALLS} streams in flight: each completes or gets an error event, and each has exactly one event after restart`, async () => {
    const spoolDir = path.join(dir, "spool-a");
    const server = await startServer(spoolDir);
    const { started, results } = await startStreams(server.url);
    await started;
    const signalledAt = Date.now();
    server.child.kill("SIGTERM");
    setTimeout(() => server.child.kill("SIGTERM"), 30); // the same request, not a second one

    // A new connection is refused soon after while the calls in flight carry on.
    await new Promise((r) => setTimeout(r, 300));
    expect(await newConnectionRefused(server.url)).toBe(true);
    const all = await results;
    const endedAt = Date.now();
    expect(await server.exited).toBe(0);

    expect(all.filter((r) => r.outcome === "other")).toEqual([]);
    // The short calls finished inside the grace period; the long ones were ended at its end.
    expect(all.filter((r) => r.outcome === "complete").length).toBe(CALLS / 2);
    expect(all.filter((r) => r.outcome === "error_event").length).toBe(CALLS / 2);
    expect(endedAt - signalledAt).toBeGreaterThanOrEqual(GRACE_MS - 100);

    await restartAndStop(spoolDir);
    expectOneEventPerCall(all, await storedEvents(all.map((r) => r.id)));
  }, 240_000);

  it("a second SIGTERM after a second skips the grace period, and every call still has exactly one event after restart", async () => {
    const spoolDir = path.join(dir, "spool-b");
    // A grace far longer than the test: only the second signal can end it in time.
    const server = await startServer(spoolDir, { PITWALL_SHUTDOWN_GRACE_MS: "600000" });
    const { started, results } = await startStreams(server.url);
    await started;
    server.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1_300));
    const forcedAt = Date.now();
    server.child.kill("SIGTERM");
    const all = await results;
    expect(await server.exited).toBe(0);
    expect(Date.now() - forcedAt).toBeLessThan(20_000); // against a 600 s grace period

    expect(all.filter((r) => r.outcome === "other")).toEqual([]);
    expect(all.filter((r) => r.outcome === "error_event").length).toBeGreaterThanOrEqual(CALLS / 2);
    await restartAndStop(spoolDir);
    expectOneEventPerCall(all, await storedEvents(all.map((r) => r.id)));
  }, 240_000);
});
