import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import { ensureMember } from "../../projects/members";
import { handleAuthRequest } from "../http/auth-handler";
import type { Role } from "../../projects/roles";
import { createUserWithPassword } from "../users";

/**
 * Test helpers (any area's tests may use them): real accounts signed in through the real
 * better-auth handler, and web Requests that carry their session cookie like a browser would.
 */
export const TEST_ORIGIN = "http://localhost";

export type TestUser = { userId: string; email: string; password: string; cookie: string };

let counter = 0;

/** A new account, member of `projectId` with `role` when given, signed in. */
export async function signedInUser(db: Db, opts: { projectId?: string; role?: Role; email?: string; password?: string } = {}): Promise<TestUser> {
  const email = opts.email ?? `u${process.pid}-${Date.now().toString(36)}-${counter++}@test.local`;
  const password = opts.password ?? `pw-${randomBytes(8).toString("hex")}`;
  const created = await createUserWithPassword(db, { email, name: email.split("@")[0]!, password });
  if (opts.projectId) await ensureMember(db, { projectId: opts.projectId, userId: created.id, role: opts.role ?? "viewer" });
  const cookie = await signIn(db, email, password);
  return { userId: created.id, email, password, cookie };
}

/** Signs in through /api/auth/sign-in/email and returns the Cookie header value to send. */
export async function signIn(db: Db, email: string, password: string, ip = "203.0.113.1"): Promise<string> {
  const res = await handleAuthRequest(
    db,
    webRequest("/api/auth/sign-in/email", { method: "POST", body: { email, password }, headers: { "x-pitwall-client-ip": ip } }),
  );
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return cookieHeaderFrom(res);
}

/** Turns a response's Set-Cookie headers into a Cookie request header. */
export function cookieHeaderFrom(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .filter((c) => !c.endsWith("="))
    .join("; ");
}

/**
 * A same-origin browser-like request: JSON body, Origin of the app, and the cookie when given.
 * `origin: null` leaves the Origin header out (as a non-browser client would).
 */
export function webRequest(
  path: string,
  opts: { method?: string; body?: unknown; rawBody?: string; cookie?: string; origin?: string | null; headers?: Record<string, string> } = {},
): Request {
  const headers: Record<string, string> = { ...opts.headers };
  const method = opts.method ?? "GET";
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.origin !== null && method !== "GET") headers.origin = opts.origin ?? TEST_ORIGIN;
  let body: string | undefined;
  if (opts.rawBody !== undefined || opts.body !== undefined) {
    headers["content-type"] ??= "application/json";
    body = opts.rawBody ?? JSON.stringify(opts.body);
  }
  return new Request(`${TEST_ORIGIN}${path}`, { method, headers, body });
}
