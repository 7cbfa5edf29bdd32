import postgres from "postgres";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { events } from "@/db/schema";
import { createTestDb } from "@/db/test-db";
import type { IngestFn } from "../recording/event-writer";
import { projectWithKey } from "../auth/testing/project-with-key";
import { startHarness, waitFor, type Harness } from "./testing/gateway-harness";

/**
 * The database goes away during traffic and comes back: every call must be answered and
 * recorded exactly once. On Postgres the outage is real (this test's own database refuses
 * connections and its backends are terminated); on PGlite the writer's database calls fail.
 */
let handle: DbHandle & { url?: string };
let projectId: string;
let h: Harness;
const simulated = { down: false };

beforeAll(async () => {
  handle = await createTestDb();
  const p = await projectWithKey(handle.db);
  projectId = p.project.id;
  const failWhileDown = (real: IngestFn): IngestFn => async (pid, evs) => {
    if (simulated.down) throw Object.assign(new Error("Connection terminated unexpectedly"), { code: "CONNECTION_CLOSED" });
    return real(pid, evs);
  };
  h = await startHarness(handle, p.key, { ingest: failWhileDown });
});
afterAll(async () => {
  await h?.close();
  await handle?.close();
});

async function outage(on: boolean): Promise<void> {
  if (handle.kind !== "postgres" || !handle.url || !process.env.DATABASE_URL) {
    simulated.down = on;
    return;
  }
  const name = new URL(handle.url).pathname.slice(1);
  const admin = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`alter database ${name} with allow_connections ${on ? "false" : "true"}`);
    if (on) await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`;
  } finally {
    await admin.end();
  }
}

describe("a database outage during traffic", () => {
  it("loses no call: all are answered, spooled while the database is away, and stored exactly once after", async () => {
    const client = h.client();
    const ids: string[] = [];
    const failures: unknown[] = [];
    let stop = false;
    let maxSpooled = 0;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await client.messages
            .create({ model: "claude-haiku-4-5", max_tokens: 50, messages: [{ role: "user", content: `worker ${w} call ${i}` }] }, { headers: { "x-pitwall-route": "outage" } })
            .withResponse();
          ids.push(r.response.headers.get("x-pitwall-request-id")!);
        } catch (err) {
          failures.push(err);
        }
        maxSpooled = Math.max(maxSpooled, h.writer.stats().spooled);
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    // Counts, not fixed windows, decide when to move on (a loaded CI machine serves few calls in
    // 400 ms); the deadlines only bound a broken run.
    const until = async (done: () => boolean, ms: number) => {
      for (const end = Date.now() + ms; !done() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    };
    await new Promise((r) => setTimeout(r, 400));
    await until(() => ids.length > 0, 10_000);
    const beforeOutage = ids.length;
    await outage(true);
    await new Promise((r) => setTimeout(r, 2_500)); // longer than the 2 s key cache
    await until(() => ids.length - beforeOutage > 10, 15_000);
    const duringOutage = ids.length - beforeOutage;
    await outage(false);
    await new Promise((r) => setTimeout(r, 400));
    stop = true;
    await Promise.all(workers);

    expect(failures).toEqual([]);
    expect(beforeOutage).toBeGreaterThan(0);
    expect(duringOutage).toBeGreaterThan(10);
    expect(maxSpooled).toBeGreaterThan(0);

    await waitFor(() => h.writer.stats().spooled === 0 && h.writer.stats().buffered === 0, 15_000);
    await waitFor(async () => {
      const rows = await handle.db.select({ n: sql<number>`count(*)::int` }).from(events).where(eq(events.projectId, projectId));
      return rows[0]!.n >= ids.length;
    }, 15_000);
    const rows = await handle.db
      .select({ id: events.id, n: sql<number>`count(*)::int` })
      .from(events)
      .where(and(eq(events.projectId, projectId), inArray(events.id, ids)))
      .groupBy(events.id);
    expect(rows.length).toBe(ids.length);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const [total] = await handle.db.select({ n: sql<number>`count(*)::int` }).from(events).where(eq(events.projectId, projectId));
    expect(total!.n).toBe(ids.length); // nothing stored twice, nothing extra
    expect(h.writer.stats().dropped).toBe(0);
  });
});
