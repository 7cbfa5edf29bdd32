import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { signedInUser } from "./auth/testing/sessions";
import { registerHealth } from "./health";
import { createHealthHandler } from "./health-handler";
import { projectWithKey } from "./auth/testing/project-with-key";
import { serveHandler } from "./http/testing/serve-handler";

/** /api/health: liveness for anyone, the details for a session or a metrics:read key. */
let handle: DbHandle;
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  handle = await createTestDb();
  registerHealth("gateway", () => ({ upstream: "simulator", active: 3, recording: true }));
  server = await serveHandler(createHealthHandler(handle));
});
afterAll(async () => {
  await server?.close();
  await handle?.close();
});

const get = (headers: Record<string, string> = {}) => fetch(`${server.url}/api/health`, { headers });

describe("GET /api/health", () => {
  it("tells an anonymous caller only that the server is alive", async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("gives a metrics:read key the details, components' figures included", async () => {
    const { key } = await projectWithKey(handle.db, ["metrics:read"]);
    const body = (await (await get({ authorization: `Bearer ${key}` })).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "ok", db: handle.kind, dbReachable: true, gateway: { upstream: "simulator", active: 3 } });
    expect(typeof body.uptimeSec).toBe("number");
  });

  it("refuses the details to a key without metrics:read (403) and to a bad key (401)", async () => {
    const { key } = await projectWithKey(handle.db, ["ingest"]);
    expect((await get({ "x-api-key": key })).status).toBe(403);
    expect((await get({ authorization: `Bearer pw_sk_${"z".repeat(40)}` })).status).toBe(401);
  });

  it("gives a signed-in user the details; a forged cookie gets the public answer", async () => {
    const user = await signedInUser(handle.db);
    expect(await (await get({ cookie: user.cookie })).json()).toMatchObject({ status: "ok", db: handle.kind, gateway: { active: 3 } });
    expect(await (await get({ cookie: "pitwall.session_token=forged.value" })).json()).toEqual({ status: "ok" });
  });
});
