import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { webHandler } from "../../http/web-handler";
import { signedInUser, webRequest, type TestUser } from "../../auth/testing/sessions";
import { createApiKey } from "../../auth/api-keys";
import { createProject, getProjectById } from "../project-queries";
import { getProject, patchProject } from "./projects-handlers";

let handle: DbHandle;
let admin: TestUser;
let viewer: TestUser;
let projectId: string;

beforeAll(async () => {
  handle = await createTestDb();
  const project = await createProject(handle.db, { slug: "settings-proj" });
  projectId = project.id;
  admin = await signedInUser(handle.db, { projectId, role: "admin" });
  viewer = await signedInUser(handle.db, { projectId, role: "viewer" });
});
afterAll(async () => handle?.close());

const patch = (body: unknown, cookie = admin.cookie) =>
  webHandler((r) => patchProject(handle.db, r, "settings-proj"))(webRequest("/api/v1/projects/settings-proj", { method: "PATCH", body, cookie }), undefined);
const get = (cookie: string) => webHandler((r) => getProject(handle.db, r, "settings-proj"))(webRequest("/api/v1/projects/settings-proj", { cookie }), undefined);

describe("project settings", () => {
  it("an admin renames the project; the slug (its URL) stays", async () => {
    const res = await patch({ name: "  Checkout agents  " });
    expect(res.status).toBe(200);
    const row = await getProjectById(handle.db, projectId);
    expect(row).toMatchObject({ name: "Checkout agents", slug: "settings-proj" });
  });

  it("rate-limit settings merge field by field and show the effective limit", async () => {
    expect((await patch({ settings: { rateLimitPerSecond: 50 } })).status).toBe(200);
    expect((await patch({ settings: { rateLimitBurst: 10 } })).status).toBe(200);
    const body = (await (await get(viewer.cookie)).json()) as { project: { settings: object; keyRateLimit: object; role: string } };
    expect(body.project.settings).toEqual({ rateLimitPerSecond: 50, rateLimitBurst: 10 });
    expect(body.project.keyRateLimit).toEqual({ perSecond: 50, burst: 10 });
    expect(body.project.role).toBe("viewer");
  });

  it.each([
    [{ name: "" }, /Name the project/],
    [{ name: "n".repeat(101) }, /at most 100/],
    [{ settings: { rateLimitPerSecond: -1 } }, /rateLimitPerSecond/],
    [{ settings: { rateLimitPerSecond: 1.5 } }, /rateLimitPerSecond/],
    [{ settings: { rateLimitPerSecond: "10" } }, /rateLimitPerSecond/],
    [{ settings: { retentionDays: 1 } }, /settings/],
    // Postgres cannot store these: a clear 400, never a 500 from the database.
    [{ name: "a\u0000b" }, /NUL/],
    [{ name: "a\udc00b" }, /surrogate/],
  ])("refuses %j with a clear 400", async (body, message) => {
    const res = await patch(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
  });

  it("a project named by a NUL byte or other non-slug in the URL is a 404 for users and keys, never a 500", async () => {
    const { secret } = await createApiKey(handle.db, { projectId, name: "reader", scopes: ["metrics:read"] });
    for (const bad of ["\u0000", "settings-proj\u0000", "Settings-Proj", "a".repeat(100)]) {
      const viaCookie = await webHandler((r) => getProject(handle.db, r, bad))(webRequest("/api/v1/projects/x", { cookie: viewer.cookie }), undefined);
      expect(viaCookie.status).toBe(404);
      const viaKey = await webHandler((r) => getProject(handle.db, r, bad))(webRequest("/api/v1/projects/x", { headers: { authorization: `Bearer ${secret}` } }), undefined);
      expect(viaKey.status).toBe(403);
    }
  });

  it("a viewer can read but not change settings", async () => {
    expect((await get(viewer.cookie)).status).toBe(200);
    expect((await patch({ name: "Hijacked" }, viewer.cookie)).status).toBe(403);
    expect((await getProjectById(handle.db, projectId))?.name).toBe("Checkout agents");
  });
});
