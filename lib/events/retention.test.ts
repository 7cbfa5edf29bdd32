import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { ingestBatch } from "../ingestion/ingest-batch";
import { llmEvent } from "./testing/llm-event";
import { projectWithKey } from "../auth/testing/project-with-key";
import { deleteEventsBefore, runRetention } from "./retention";

let handle: DbHandle;
let projectId: string;

beforeAll(async () => {
  handle = await createTestDb();
  ({ project: { id: projectId } } = await projectWithKey(handle.db));
});
afterAll(async () => handle?.close());

const count = async () =>
  rowsOf<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from events where project_id = ${projectId}::uuid`))[0]!.n;

describe("retention", () => {
  it("removes events older than the retention window and keeps newer ones", async () => {
    const day = 86_400_000;
    const events = [
      llmEvent({ timestamp: new Date(Date.now() - 20 * day).toISOString() }),
      llmEvent({ timestamp: new Date(Date.now() - 10 * day).toISOString() }),
      llmEvent({ timestamp: new Date(Date.now() - 1 * day).toISOString() }),
    ];
    expect((await ingestBatch(handle.db, projectId, events)).accepted).toBe(3);
    const removed = await runRetention(handle.db, 7);
    expect(removed.events).toBe(2);
    expect(await count()).toBe(1);
  });

  it("deletes in chunks until nothing older is left", async () => {
    const old = new Date(Date.now() - 5 * 86_400_000).toISOString();
    await ingestBatch(handle.db, projectId, Array.from({ length: 25 }, () => llmEvent({ timestamp: old })));
    const before = await count();
    expect(await deleteEventsBefore(handle.db, new Date(Date.now() - 2 * 86_400_000), 10)).toBe(25);
    expect(await count()).toBe(before - 25);
  });
});
