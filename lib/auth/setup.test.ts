import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { bootstrap } from "../bootstrap";
import { webHandler } from "../http/web-handler";
import { createProject, getProjectBySlug } from "../projects/project-queries";
import { getMembershipBySlug, listMembers } from "../projects/members";
import { postSetup } from "./http/setup-handler";
import { cookieHeaderFrom, signIn, webRequest } from "./test-sessions";
import { getSessionUser } from "./session";
import { needsSetup } from "./setup";
import { getUserByEmail } from "./users";

let handle: DbHandle;

beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

const setup = (body: unknown, opts: { origin?: string | null } = {}) =>
  webHandler((req) => postSetup(handle.db, req))(webRequest("/api/v1/setup", { method: "POST", body, origin: opts.origin }), undefined);

describe("first admin setup", () => {
  it("is needed on a fresh install and refuses a cross-origin page", async () => {
    expect(await needsSetup(handle.db)).toBe(true);
    await createProject(handle.db, { slug: "demo" });
    await createProject(handle.db, { slug: "second" });
    const res = await setup({ email: "admin@example.com", name: "Admin", password: "correct horse battery" }, { origin: "http://evil.example" });
    expect(res.status).toBe(403);
    expect(await needsSetup(handle.db)).toBe(true);
  });

  it("rejects a short password with a clear 400", async () => {
    const res = await setup({ email: "admin@example.com", name: "Admin", password: "short" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/at least 10 characters/);
  });

  it("creates the first admin of every existing project and signs them in", async () => {
    const res = await setup({ email: "Admin@Example.com", name: "Admin", password: "correct horse battery" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { projects: string[]; redirectTo: string };
    expect(body.projects.sort()).toEqual(["demo", "second"]);
    expect(body.redirectTo).toMatch(/^\/p\/(demo|second)\/overview$/);
    const setCookies = res.headers.getSetCookie().join("\n");
    expect(setCookies).toMatch(/pitwall\.session_token=/);
    expect(setCookies).toMatch(/HttpOnly/i);
    expect(setCookies).toMatch(/SameSite=Lax/i);

    const user = await getSessionUser(handle.db, new Headers({ cookie: cookieHeaderFrom(res) }));
    expect(user?.email).toBe("admin@example.com");
    for (const slug of ["demo", "second"]) {
      expect((await getMembershipBySlug(handle.db, { userId: user!.userId, slug }))?.role).toBe("admin");
    }
  });

  it("disappears once an admin exists", async () => {
    expect(await needsSetup(handle.db)).toBe(false);
    const res = await setup({ email: "intruder@example.com", name: "X", password: "another long password" });
    expect(res.status).toBe(404);
    expect(await getUserByEmail(handle.db, "intruder@example.com")).toBeUndefined();
  });

  it("lets the admin sign in with the password and not with another", async () => {
    const cookie = await signIn(handle.db, "admin@example.com", "correct horse battery");
    expect(cookie).toMatch(/pitwall\.session_token=/);
    await expect(signIn(handle.db, "admin@example.com", "wrong password!!")).rejects.toThrow(/401/);
  });
});

describe("headless init (PITWALL_INIT_ADMIN_EMAIL / _PASSWORD)", () => {
  it("creates the admin of the init project once, and a second start changes nothing", async () => {
    const env = { PITWALL_INIT_PROJECT: "init-proj", PITWALL_INIT_ADMIN_EMAIL: "ops@example.com", PITWALL_INIT_ADMIN_PASSWORD: "init password 123", NODE_ENV: "test" } as const;
    await bootstrap(handle, env);
    await bootstrap(handle, { ...env, PITWALL_INIT_ADMIN_PASSWORD: "a different password" });
    const project = await getProjectBySlug(handle.db, "init-proj");
    const members = await listMembers(handle.db, project!.id);
    expect(members.map((m) => [m.email, m.role])).toEqual([["ops@example.com", "admin"]]);
    // The first password stays: init never overwrites an existing account.
    expect(await signIn(handle.db, "ops@example.com", "init password 123")).toMatch(/session_token/);
    await expect(signIn(handle.db, "ops@example.com", "a different password")).rejects.toThrow(/401/);
  });

  it("ignores an invalid init password instead of creating a weak account", async () => {
    await bootstrap(handle, { PITWALL_INIT_ADMIN_EMAIL: "weak@example.com", PITWALL_INIT_ADMIN_PASSWORD: "123", NODE_ENV: "test" });
    expect(await getUserByEmail(handle.db, "weak@example.com")).toBeUndefined();
  });
});
