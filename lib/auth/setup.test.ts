import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { bootstrap } from "../bootstrap";
import { webHandler } from "../http/web-handler";
import { createProject, getProjectBySlug } from "../projects/project-queries";
import { ensureMember, getMembershipBySlug, listMembers, removeMember } from "../projects/members";
import { toAppError } from "../errors";
import { verifyApiKey } from "./api-keys";
import { postSetup } from "./http/setup-handler";
import { cookieHeaderFrom, signIn, webRequest } from "./testing/sessions";
import { getSessionUser } from "./session";
import { needsSetup } from "./setup";
import { assertSetupAllowed, ensureSetupTokenFile, isLoopbackAddress, setupAccess } from "./setup-token";
import { getUserByEmail } from "./users";

let handle: DbHandle;
let tokenDir: string;
let token: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  handle = await createTestDb();
  tokenDir = mkdtempSync(path.join(os.tmpdir(), "pitwall-setup-token-"));
  process.env.PITWALL_SETUP_TOKEN_FILE = path.join(tokenDir, "setup-token");
  delete process.env.PITWALL_SETUP_TOKEN;
  delete process.env.PITWALL_SETUP_ACCESS;
});
afterAll(async () => {
  process.env = savedEnv;
  rmSync(tokenDir, { recursive: true, force: true });
  await handle?.close();
});

const setup = (body: Record<string, unknown>, opts: { origin?: string | null; ip?: string; token?: string | null } = {}) =>
  webHandler((req) => postSetup(handle.db, req))(
    webRequest("/api/v1/setup", {
      method: "POST",
      body: opts.token === null ? body : { ...body, setupToken: opts.token ?? token },
      origin: opts.origin,
      headers: { "x-pitwall-client-ip": opts.ip ?? "203.0.113.9" },
    }),
    undefined,
  );
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

describe("first admin setup", () => {
  it("is needed on a fresh install and refuses a cross-origin page", async () => {
    expect(await needsSetup(handle.db)).toBe(true);
    // What server.ts does at start: print the token and write it to the file.
    await bootstrap(handle, { NODE_ENV: "test", PITWALL_SETUP_TOKEN_FILE: process.env.PITWALL_SETUP_TOKEN_FILE }, { announceSetup: true });
    token = readFileSync(process.env.PITWALL_SETUP_TOKEN_FILE!, "utf8").trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await createProject(handle.db, { slug: "demo" });
    await createProject(handle.db, { slug: "second" });
    const res = await setup({ email: "admin@example.com", name: "Admin", password: "correct horse battery" }, { origin: "http://evil.example" });
    expect(res.status).toBe(403);
    expect(await needsSetup(handle.db)).toBe(true);
  });

  it("refuses a caller without the setup token, or with a wrong one, and creates nobody", async () => {
    const body = { email: "claimer@example.com", name: "Claimer", password: "correct horse battery" };
    const missing = await setup(body, { token: null });
    expect(missing.status).toBe(403);
    expect((await errorOf(missing)).message).toMatch(/setup token.*log/i);
    const wrong = await setup(body, { token: "not-the-token" });
    expect(wrong.status).toBe(403);
    expect((await errorOf(wrong)).code).toBe("forbidden:setup_token");
    // Even from this machine: the token is the rule unless loopback mode is chosen.
    expect((await setup(body, { token: null, ip: "127.0.0.1" })).status).toBe(403);
    expect(await getUserByEmail(handle.db, "claimer@example.com")).toBeUndefined();
    expect(await needsSetup(handle.db)).toBe(true);
  });

  it("keeps the token in a file only the server's user can read, the same across restarts", () => {
    const file = process.env.PITWALL_SETUP_TOKEN_FILE!;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8").trim()).toBe(token);
    expect(ensureSetupTokenFile().token).toBe(token);
  });

  it("rejects a short password with a clear 400", async () => {
    const res = await setup({ email: "admin@example.com", name: "Admin", password: "short" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/at least 10 characters/);
  });

  it("creates the first admin of every existing project and signs them in, and the token is gone", async () => {
    const res = await setup({ email: "Admin@Example.com", name: "Admin", password: "correct horse battery" });
    expect(res.status).toBe(201);
    expect(existsSync(process.env.PITWALL_SETUP_TOKEN_FILE!)).toBe(false);
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
    // A start after setup removes a stale token file (left by a crash, say).
    writeFileSync(process.env.PITWALL_SETUP_TOKEN_FILE!, "stale\n");
    await bootstrap(handle, { NODE_ENV: "test", PITWALL_SETUP_TOKEN_FILE: process.env.PITWALL_SETUP_TOKEN_FILE }, { announceSetup: true });
    expect(existsSync(process.env.PITWALL_SETUP_TOKEN_FILE!)).toBe(false);
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

  it("grants admin only when it creates the account: a removal by an admin survives the next start", async () => {
    const env = { PITWALL_INIT_PROJECT: "regrant", PITWALL_INIT_ADMIN_EMAIL: "regrant@example.com", PITWALL_INIT_ADMIN_PASSWORD: "init password 123", NODE_ENV: "test" } as const;
    await bootstrap(handle, env);
    const project = await getProjectBySlug(handle.db, "regrant");
    const user = await getUserByEmail(handle.db, "regrant@example.com");
    // Another admin takes over and removes the init admin (a project keeps at least one admin).
    const other = await getUserByEmail(handle.db, "admin@example.com");
    await ensureMember(handle.db, { projectId: project!.id, userId: other!.id, role: "admin" });
    await removeMember(handle.db, { projectId: project!.id, userId: user!.id });
    await bootstrap(handle, env);
    expect(await getMembershipBySlug(handle.db, { userId: user!.id, slug: "regrant" })).toBeUndefined();
  });

  it("makes the init admin admin of the init project only, not of every project", async () => {
    await createProject(handle.db, { slug: "someone-elses" });
    const env = { PITWALL_INIT_PROJECT: "only-this", PITWALL_INIT_ADMIN_EMAIL: "only@example.com", PITWALL_INIT_ADMIN_PASSWORD: "init password 123", NODE_ENV: "test" } as const;
    await bootstrap(handle, env);
    const user = await getUserByEmail(handle.db, "only@example.com");
    expect((await getMembershipBySlug(handle.db, { userId: user!.id, slug: "only-this" }))?.role).toBe("admin");
    expect(await getMembershipBySlug(handle.db, { userId: user!.id, slug: "someone-elses" })).toBeUndefined();
    expect(await getMembershipBySlug(handle.db, { userId: user!.id, slug: "demo" })).toBeUndefined();
  });

  it("ignores an invalid init password instead of creating a weak account", async () => {
    await bootstrap(handle, { PITWALL_INIT_ADMIN_EMAIL: "weak@example.com", PITWALL_INIT_ADMIN_PASSWORD: "123", NODE_ENV: "test" });
    expect(await getUserByEmail(handle.db, "weak@example.com")).toBeUndefined();
  });
});

describe("headless init key (PITWALL_INIT_API_KEY)", () => {
  const ingestWith = async (key: string) => {
    try {
      await verifyApiKey(handle.db, key, "ingest");
      return 200;
    } catch (err) {
      return toAppError(err).status;
    }
  };

  it("accepts any pw_sk_ secret of 32 to 128 URL-safe characters (e.g. openssl rand -hex 16) and the key works", async () => {
    for (const key of [`pw_sk_${randomBytes(16).toString("hex")}`, `pw_sk_${randomBytes(96).toString("base64url")}`, `pw_sk_${"A1-_".repeat(8)}`]) {
      await bootstrap(handle, { PITWALL_INIT_PROJECT: "keyed", PITWALL_INIT_API_KEY: key, NODE_ENV: "test" });
      expect(await ingestWith(key)).toBe(200);
    }
  });

  it("refuses to start, naming the setting and the format, for a key it cannot use", async () => {
    for (const bad of ["pw_sk_tooshort", `pw_sk_${"a".repeat(129)}`, `sk_${"a".repeat(40)}`, `pw_sk_${"a".repeat(31)}!`]) {
      await expect(bootstrap(handle, { PITWALL_INIT_PROJECT: "keyed", PITWALL_INIT_API_KEY: bad, NODE_ENV: "test" })).rejects.toThrow(
        /PITWALL_INIT_API_KEY must be pw_sk_ followed by 32 to 128 letters, digits, - or _/,
      );
    }
    await expect(bootstrap(handle, { PITWALL_INIT_API_KEY: `pw_sk_${"b".repeat(40)}`, NODE_ENV: "test" })).rejects.toThrow(/needs PITWALL_INIT_PROJECT/);
  });

  it("refuses to start when the key's lookup id is taken by another key, rather than leave it unusable", async () => {
    const first = `pw_sk_samelook${"c".repeat(32)}`;
    const second = `pw_sk_samelook${"d".repeat(32)}`;
    await bootstrap(handle, { PITWALL_INIT_PROJECT: "keyed", PITWALL_INIT_API_KEY: first, NODE_ENV: "test" });
    await expect(bootstrap(handle, { PITWALL_INIT_PROJECT: "keyed", PITWALL_INIT_API_KEY: second, NODE_ENV: "test" })).rejects.toThrow(/first 8 characters/);
    expect(await ingestWith(first)).toBe(200);
  });
});

describe("setup access rule (pure)", () => {
  it("with PITWALL_SETUP_ACCESS=loopback, allows this machine without a token and refuses others", () => {
    const env = { PITWALL_SETUP_ACCESS: "loopback" };
    for (const ip of ["127.0.0.1", "::1", "::ffff:127.0.0.1", "127.8.9.10"]) expect(() => assertSetupAllowed({ clientIp: ip, env })).not.toThrow();
    for (const ip of ["203.0.113.9", "10.0.0.1", "::ffff:10.0.0.1", "unknown", "1270.0.0.1"]) {
      expect(() => assertSetupAllowed({ clientIp: ip, env, token: "anything" })).toThrow(/this machine only/);
    }
    expect(isLoopbackAddress("128.0.0.1")).toBe(false);
  });

  it("names the setting when PITWALL_SETUP_ACCESS has a value it does not know", () => {
    expect(setupAccess({})).toBe("token");
    expect(() => setupAccess({ PITWALL_SETUP_ACCESS: "open" })).toThrow(/PITWALL_SETUP_ACCESS must be "token".*or "loopback"/);
  });

  it("accepts PITWALL_SETUP_TOKEN as the token when the operator sets one", () => {
    const env = { PITWALL_SETUP_TOKEN: "operator-chosen-token", PITWALL_SETUP_TOKEN_FILE: "/nonexistent/setup-token" };
    expect(() => assertSetupAllowed({ clientIp: "203.0.113.1", env, token: "operator-chosen-token" })).not.toThrow();
    expect(() => assertSetupAllowed({ clientIp: "203.0.113.1", env, token: "operator-chosen-tokeN" })).toThrow(/not the one/);
  });
});
