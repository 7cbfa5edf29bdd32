import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { signedInUser } from "../../auth/testing/sessions";
import { projectWithKey } from "../../auth/testing/project-with-key";
import { webHandler } from "../../http/web-handler";
import { getPrices, putPrices } from "./prices-handlers";

let handle: DbHandle;
let key: string;
let otherKey: string;
let otherProject: { id: string; slug: string };

beforeAll(async () => {
  handle = await createTestDb();
  ({ key } = await projectWithKey(handle.db));
  ({ key: otherKey, project: otherProject } = await projectWithKey(handle.db));
});
afterAll(async () => handle?.close());

const get = (headers: Record<string, string>) =>
  webHandler((req) => getPrices(handle.db, req))(new Request("http://localhost/api/v1/prices", { headers }), undefined);
const put = (headers: Record<string, string>, body: unknown, query = "") =>
  webHandler((req) => putPrices(handle.db, req))(
    new Request(`http://localhost/api/v1/prices${query}`, { method: "PUT", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) }),
    undefined,
  );

describe("GET /api/v1/prices", () => {
  it("lists the seeded table in USD per million tokens for a key with metrics:read", async () => {
    const res = await get({ authorization: `Bearer ${key}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { prices: { model: string; inputPerMTok: number; cacheReadPerMTok: number; verified: boolean }[] };
    const haiku = body.prices.find((p) => p.model === "claude-haiku-4-5")!;
    expect(haiku).toMatchObject({ inputPerMTok: 1, cacheReadPerMTok: 0.1, verified: true });
    expect(body.prices.find((p) => p.model === "claude-sonnet-5")!.verified).toBe(false);
  });

  it("refuses an anonymous caller with 401", async () => {
    expect((await get({})).status).toBe(401);
  });

  it("refuses a key without metrics:read", async () => {
    const { key: ingestOnly } = await projectWithKey(handle.db, ["ingest"]);
    expect((await get({ authorization: `Bearer ${ingestOnly}` })).status).toBe(403);
  });
});

describe("PUT /api/v1/prices", () => {
  const row = { model: "claude-haiku-4-5", effectiveFrom: "2026-06-01T00:00:00Z", inputPerMTok: 2, cacheWrite5mPerMTok: 2.5, cacheWrite1hPerMTok: 4, cacheReadPerMTok: 0.2, outputPerMTok: 10 };

  it("refuses API keys: prices change only by a signed-in editor", async () => {
    const res = await put({ authorization: `Bearer ${key}` }, { prices: [row] });
    expect(res.status).toBe(403);
  });

  it("refuses effective dates a Postgres timestamp cannot hold with a 400, never a 500", async () => {
    const editor = await signedInUser(handle.db, { projectId: otherProject.id, role: "editor" });
    const asEditor = { cookie: editor.cookie, origin: "http://localhost" };
    const query = `?project=${otherProject.slug}`;
    for (const effectiveFrom of ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59-12:00"]) {
      const res = await put(asEditor, { prices: [{ ...row, effectiveFrom }] }, query);
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/effectiveFrom/);
    }
    expect((await put(asEditor, { prices: [{ ...row, effectiveFrom: "2026-07-01T00:00:00+02:00" }] }, query)).status).toBe(200);
  });

  it("refuses an anonymous caller with 401 and changes nothing", async () => {
    expect((await put({}, { prices: [row] })).status).toBe(401);
    const body = (await (await get({ authorization: `Bearer ${otherKey}` })).json()) as { prices: { model: string; effectiveFrom: string }[] };
    expect(body.prices.some((p) => p.effectiveFrom.startsWith("2026-06-01"))).toBe(false);
  });

  it("an editor's save upserts: the same model, date and tier again is one row, and the price applies to new events", async () => {
    const { project, key: k } = await projectWithKey(handle.db);
    const editor = await signedInUser(handle.db, { projectId: project.id, role: "editor" });
    const asEditor = { cookie: editor.cookie, origin: "http://localhost" };
    const query = `?project=${project.slug}`;
    const first = { ...row, effectiveFrom: "2026-01-01T00:00:00Z" };
    expect((await put(asEditor, { prices: [first] }, query)).status).toBe(200);
    const res = await put(asEditor, { prices: [{ ...first, inputPerMTok: 3 }] }, query);
    expect(res.status).toBe(200);
    const list = (await (await get({ authorization: `Bearer ${k}` })).json()) as { prices: { model: string; effectiveFrom: string; inputPerMTok: number; source: string }[] };
    const rows = list.prices.filter((p) => p.model === "claude-haiku-4-5" && p.effectiveFrom.startsWith("2026-01-01"));
    expect(rows).toEqual([expect.objectContaining({ inputPerMTok: 3, source: "edited by operator" })]);
  });

  it("a viewer is refused with 403 and a bad row rejects the whole batch", async () => {
    const { project, key: k } = await projectWithKey(handle.db);
    const viewer = await signedInUser(handle.db, { projectId: project.id, role: "viewer" });
    const query = `?project=${project.slug}`;
    expect((await put({ cookie: viewer.cookie, origin: "http://localhost" }, { prices: [row] }, query)).status).toBe(403);
    const editor = await signedInUser(handle.db, { projectId: project.id, role: "editor" });
    const good = { ...row, model: "claude-new-model", effectiveFrom: "2026-02-01T00:00:00Z" };
    const bad = { ...row, inputPerMTok: 0.0001 };
    const res = await put({ cookie: editor.cookie, origin: "http://localhost" }, { prices: [good, bad] }, query);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/decimal/);
    const list = (await (await get({ authorization: `Bearer ${k}` })).json()) as { prices: { model: string }[] };
    expect(list.prices.some((p) => p.model === "claude-new-model")).toBe(false);
  });
});
