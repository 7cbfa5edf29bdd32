import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { projectWithMembers, type Caller, type ProjectWithMembers } from "../../auth/testing/project-members";
import { projectWithKey } from "../../auth/testing/project-with-key";
import { webHandler } from "../../http/web-handler";
import { getActivePolicies } from "../active-policies";
import { activatePolicy, getPolicy, postPolicy, type KindContext } from "./policies-handlers";

let handle: DbHandle;
let slug: string, projectId: string, key: string;
let cookie: ProjectWithMembers["cookie"], headersFor: ProjectWithMembers["headersFor"];

beforeAll(async () => {
  handle = await createTestDb();
  ({ slug, projectId, key, cookie, headersFor } = await projectWithMembers(handle.db));
});
afterAll(async () => handle?.close());

type Who = Caller;

const ctx = (kind: string): KindContext => ({ params: Promise.resolve({ kind }) });

async function call(
  fn: typeof getPolicy,
  who: Who,
  kind: string,
  opts: { method?: string; body?: unknown; path?: string; slug?: string } = {},
  // Response bodies are checked field by field below; a loose type keeps those checks readable.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; json: any }> {
  const init: RequestInit = { method: opts.method ?? "GET", headers: { ...headersFor(who), "content-type": "application/json" } };
  if (opts.body !== undefined) init.body = JSON.stringify(opts.body);
  const req = new Request(`http://localhost/api/v1/policies/${kind}${opts.path ?? ""}?project=${opts.slug ?? slug}`, init);
  const res = await webHandler<KindContext>((r, c) => fn(handle.db, r, c))(req, ctx(kind));
  return { status: res.status, json: await res.json() };
}
const get = (who: Who, kind: string) => call(getPolicy, who, kind);
const post = (who: Who, kind: string, body: unknown) => call(postPolicy, who, kind, { method: "POST", body });
const activate = (who: Who, kind: string, body: unknown) => call(activatePolicy, who, kind, { method: "POST", body, path: "/activate" });

describe("policies API", () => {
  it("shows the empty policy at version 0 before anything is saved, read-only for viewers", async () => {
    const res = await get("viewer", "routing");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: "routing", active: { version: 0, document: { rules: [], default: {} } }, versions: [], canEdit: false });
    expect((await get("editor", "cache")).json).toMatchObject({ active: { version: 0, document: { default: { ttlSec: 0 } } }, canEdit: true });
  });

  it("lets an editor save versions that go live, recording who saved them", async () => {
    const first = await post("editor", "routing", { document: { rules: [{ id: "cheap", action: { model: "claude-haiku-4-5" } }] }, comment: "start cheap" });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ kind: "routing", version: 1, active: true, createdBy: "editor@example.test", comment: "start cheap" });
    const second = await post("admin", "routing", { document: { rules: [{ id: "cheap", action: { model: "claude-sonnet-4-5" } }] } });
    expect(second.json.version).toBe(2);

    const res = await get("viewer", "routing");
    expect(res.json.active).toMatchObject({ version: 2, activatedBy: "admin@example.test", document: { rules: [{ id: "cheap", action: { model: "claude-sonnet-4-5" } }] } });
    expect(res.json.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(res.json.versions[1]).toMatchObject({ createdBy: "editor@example.test", comment: "start cheap" });
    expect((await getActivePolicies(handle.db, projectId)).routingVersion).toBe(2);
  });

  it("answers 400 with zod issues for an invalid document and saves nothing", async () => {
    const res = await post("editor", "routing", { document: { rules: [{ id: "c", action: { split: { arms: [{ model: "a", weight: 60 }] } } }] } });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("bad_request:policy");
    expect(res.json.error.details.issues).toContainEqual({ path: "rules.0.action.split.arms", message: "arm weights must sum to 100" });
    expect((await get("viewer", "routing")).json.versions).toHaveLength(2);
    const missing = await post("editor", "routing", { comment: "no document" });
    expect(missing.status).toBe(400);
    expect(missing.json.error.details.issues[0].path).toBe("document");
  });

  it.each([
    ["a NUL in a description", { document: { rules: [{ id: "d", description: "x\u0000", action: {} }] } }],
    ["a lone surrogate in a route pattern", { document: { rules: [{ id: "d", match: { route: "\ud800" }, action: {} }] } }],
    ["a NUL in a tag key", { document: { rules: [{ id: "d", match: { tags: { "k\u0000": "v" } }, action: {} }] } }],
    ["a NUL in the comment", { document: {}, comment: "x\u0000" }],
  ])("refuses %s with a 400 (Postgres cannot store it), never a 500", async (_what, body) => {
    const before = (await get("viewer", "routing")).json.versions.length;
    const res = await post("editor", "routing", body);
    expect(res.status).toBe(400);
    expect((await get("viewer", "routing")).json.versions).toHaveLength(before);
  });

  it("rolls back by activating an older version", async () => {
    const res = await activate("editor", "routing", { version: 1 });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: "routing", version: 1, activatedBy: "editor@example.test" });
    const live = await get("viewer", "routing");
    expect(live.json.active).toMatchObject({ version: 1, document: { rules: [{ action: { model: "claude-haiku-4-5" } }] } });
    expect((await getActivePolicies(handle.db, projectId)).routing.rules[0]!.action.model).toBe("claude-haiku-4-5");
    expect((await activate("editor", "routing", { version: 99 })).status).toBe(404);
    expect((await activate("editor", "routing", { version: "1" })).status).toBe(400);
    expect((await activate("editor", "routing", { version: 3_000_000_000 })).status).toBe(400);
  });

  it("refuses writes from viewers, API keys and anonymous callers", async () => {
    const doc = { document: {} };
    expect((await post("viewer", "cache", doc)).status).toBe(403);
    expect((await post({ key }, "cache", doc)).status).toBe(403);
    expect((await post(null, "cache", doc)).status).toBe(401);
    expect((await activate("viewer", "routing", { version: 2 })).status).toBe(403);
    expect((await get("viewer", "cache")).json.versions).toEqual([]);
  });

  it("lets a key with metrics:read read, and answers 404 for an unknown kind", async () => {
    const res = await get({ key }, "routing");
    expect(res.status).toBe(200);
    expect(res.json.canEdit).toBe(false);
    expect((await get(null, "routing")).status).toBe(401);
    expect((await get("viewer", "pricing")).status).toBe(404);
  });

  it("keeps projects apart", async () => {
    const other = await projectWithKey(handle.db);
    const own = await call(getPolicy, { key: other.key }, "routing", { slug: other.project.slug });
    expect(own.json.active.version).toBe(0);
    expect(own.json.versions).toEqual([]);
    // Another project's key cannot read this one, and a member here is not a member there.
    expect((await get({ key: other.key }, "routing")).status).toBe(403);
    expect((await call(getPolicy, "admin", "routing", { slug: other.project.slug })).status).toBe(404);
    expect((await call(postPolicy, "admin", "routing", { method: "POST", body: { document: {} }, slug: other.project.slug })).status).toBe(404);
  });

  it("refuses a cookie-authenticated write from another origin", async () => {
    const req = new Request(`http://localhost/api/v1/policies/cache?project=${slug}`, {
      method: "POST",
      headers: { cookie: cookie("editor"), origin: "https://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ document: {} }),
    });
    const res = await webHandler<KindContext>((r, c) => postPolicy(handle.db, r, c))(req, ctx("cache"));
    expect(res.status).toBe(403);
  });
});
