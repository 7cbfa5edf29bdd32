import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { webHandler } from "../../http/web-handler";
import { createProject } from "../../projects/project-queries";
import { clearApiKeyCache, verifyApiKey } from "../api-keys";
import { signedInUser, webRequest, type TestUser } from "../testing/sessions";
import { deleteKey, getKeys, postKey } from "./keys-handlers";

let handle: DbHandle;
let admin: TestUser;
let slug: string;

beforeAll(async () => {
  handle = await createTestDb();
  const project = await createProject(handle.db, { slug: "keys-proj" });
  slug = project.slug;
  admin = await signedInUser(handle.db, { projectId: project.id, role: "admin" });
});
afterAll(async () => handle?.close());

const create = (body: unknown) =>
  webHandler((r) => postKey(handle.db, r))(webRequest(`/api/v1/keys?project=${slug}`, { method: "POST", body, cookie: admin.cookie }), undefined);
const list = async () => {
  const res = await webHandler((r) => getKeys(handle.db, r))(webRequest(`/api/v1/keys?project=${slug}`, { cookie: admin.cookie }), undefined);
  return { res, text: await res.text() };
};
const revoke = (id: string) =>
  webHandler((r) => deleteKey(handle.db, r, id))(webRequest(`/api/v1/keys/${id}?project=${slug}`, { method: "DELETE", cookie: admin.cookie }), undefined);

describe("keys API (admin)", () => {
  it("creates a key with the chosen scopes and shows its secret only in that answer", async () => {
    const res = await create({ name: "ingest only", scopes: ["ingest", "ingest"] });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { key: { id: string; scopes: string[]; displayPrefix: string }; secret: string };
    expect(body.secret).toMatch(/^pw_sk_[A-Za-z0-9_-]{40}$/);
    expect(body.key.scopes).toEqual(["ingest"]);
    expect(body.secret.startsWith(body.key.displayPrefix.replace("…", ""))).toBe(true);

    const { res: listRes, text } = await list();
    expect(listRes.status).toBe(200);
    expect(text).not.toContain(body.secret);
    expect(text).not.toMatch(/secretHash|salt/);
    const keys = (JSON.parse(text) as { keys: { id: string; name: string; createdByEmail: string; lastUsedAt: string | null }[] }).keys;
    expect(keys.find((k) => k.id === body.key.id)).toMatchObject({ name: "ingest only", createdByEmail: admin.email, lastUsedAt: null });

    const verified = await verifyApiKey(handle.db, body.secret, "ingest");
    expect(verified.keyId).toBe(body.key.id);
    await expect(verifyApiKey(handle.db, body.secret, "gateway")).rejects.toMatchObject({ status: 403 });
  });

  it("revokes a key: it stops working and the list marks it revoked; revoking again is a 404", async () => {
    const created = (await (await create({ name: "to revoke", scopes: ["gateway"] })).json()) as { key: { id: string }; secret: string };
    await verifyApiKey(handle.db, created.secret, "gateway");
    expect((await revoke(created.key.id)).status).toBe(200);
    clearApiKeyCache();
    await expect(verifyApiKey(handle.db, created.secret, "gateway")).rejects.toMatchObject({ status: 401 });
    const keys = (JSON.parse((await list()).text) as { keys: { id: string; revokedAt: string | null }[] }).keys;
    expect(keys.find((k) => k.id === created.key.id)!.revokedAt).not.toBeNull();
    expect((await revoke(created.key.id)).status).toBe(404);
  });

  it.each([
    [{ name: "", scopes: ["ingest"] }, /Name the key/],
    [{ name: "x".repeat(101), scopes: ["ingest"] }, /at most 100/],
    [{ name: "n", scopes: [] }, /at least one scope/],
    [{ name: "n", scopes: ["admin"] }, /scopes/],
    [{ name: "n" }, /scopes/],
    // Postgres cannot store these: a clear 400, never a 500 from the database.
    [{ name: "a\u0000b", scopes: ["ingest"] }, /NUL/],
    [{ name: "a\ud800b", scopes: ["ingest"] }, /surrogate/],
  ])("refuses %j with a clear 400", async (body, message) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
  });

  it("a ?project= that is not a slug (a NUL byte) is a 404, never a 500", async () => {
    const res = await webHandler((r) => getKeys(handle.db, r))(webRequest(`/api/v1/keys?project=%00`, { cookie: admin.cookie }), undefined);
    expect(res.status).toBe(404);
  });

  it("refuses a body that is not JSON", async () => {
    const res = await webHandler((r) => postKey(handle.db, r))(
      webRequest(`/api/v1/keys?project=${slug}`, { method: "POST", rawBody: "{name:", cookie: admin.cookie }),
      undefined,
    );
    expect(res.status).toBe(400);
  });
});
