import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import { openPostgres, type Db, type DbHandle } from "@/db/client";
import { checkHealth } from "../health";
import { createIngestHandler } from "./http-handler";
import { serveHandler } from "../http/testing/serve-handler";
import { llmEvent } from "../events/testing/llm-event";
import { projectWithKey } from "../auth/testing/project-with-key";

// Nothing listens on port 1: every query fails to connect, as when Postgres is down.
const down = openPostgres("postgres://postgres@127.0.0.1:1/pitwall_down", { max: 1 });

let handle: DbHandle;
let current: Db;
let server: { url: string; close: () => Promise<void> };
let key: string;

beforeAll(async () => {
  handle = await createTestDb();
  current = handle.db;
  server = await serveHandler(createIngestHandler(() => current));
  ({ key } = await projectWithKey(handle.db));
});
afterAll(async () => {
  await server?.close();
  await handle?.close();
  await down.close();
});

const post = (events: unknown[]) =>
  fetch(`${server.url}/api/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ events }),
  });

describe("database unavailable", () => {
  it("answers 503 with Retry-After and a safe message when the database cannot be reached", async () => {
    // Warm the key and price caches on the working database, then lose the database.
    expect((await post([llmEvent()])).status).toBe(200);
    current = down.db;
    const res = await post([llmEvent(), llmEvent()]);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("unavailable:database");
    expect(body.error.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|postgres:/);
    current = handle.db;
  });

  it("health reports 503 and the driver when the database is unreachable", async () => {
    const ok = await checkHealth(handle);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: "ok", db: handle.kind });
    const bad = await checkHealth(down);
    expect(bad.status).toBe(503);
    expect(bad.body).toMatchObject({ status: "unavailable", db: "postgres", dbReachable: false });
  });
});
