import type { Db } from "@/db/client";
import { AppError } from "../../errors";
import { readText } from "../../http/web-handler";
import { getAuthFor } from "../auth-instance";
import { loginRateLimiter } from "../login-rate-limit";
import { assertSameOrigin } from "../origin-check";
import { clientIp } from "../request-origin";

/**
 * /api/auth/*: better-auth's handler behind an allow-list (Pitwall uses email + password only; no
 * public sign-up, reset-by-mail or account deletion endpoints exist), with the login limiter in
 * front of every password check.
 */
const ALLOWED = new Set([
  "/sign-in/email",
  "/sign-out",
  "/get-session",
  "/change-password",
  "/list-sessions",
  "/revoke-session",
  "/revoke-other-sessions",
  "/revoke-sessions",
  "/ok",
]);
const PASSWORD_CHECKS = new Set(["/sign-in/email", "/change-password"]);
const MAX_BODY = 16 * 1024;

export async function handleAuthRequest(db: Db, req: Request): Promise<Response> {
  const path = new URL(req.url).pathname.replace(/^\/api\/auth/, "").replace(/\/+$/, "");
  if (!ALLOWED.has(path)) throw new AppError("not_found:auth_endpoint", "No such auth endpoint.");
  // Every state change here (sign-in, sign-out, password) must come from the app's own pages.
  if (req.method !== "GET" && req.method !== "HEAD") assertSameOrigin(req.headers, req.url);
  const auth = await getAuthFor(db, req.headers, req.url);
  if (req.method !== "POST") return withoutSessionTokens(await auth.handler(req));

  // Read here, capped, so no auth endpoint ever buffers an unbounded upload.
  const text = await readText(req, MAX_BODY);
  const forwarded = new Request(req.url, { method: "POST", headers: req.headers, body: text });
  if (!PASSWORD_CHECKS.has(path)) return withoutSessionTokens(await auth.handler(forwarded));
  const ip = clientIp(req.headers);
  // change-password checks the current password too: counted per address under its own name.
  const account = path === "/sign-in/email" ? emailOf(text) : `(change-password)@${ip}`;
  const limiter = loginRateLimiter();
  await limiter.consume(ip, account);
  const res = await auth.handler(forwarded);
  if (res.ok) await limiter.succeeded(ip, account);
  return withoutSessionTokens(res);
}

/**
 * better-auth also puts session tokens in its JSON (sign-in, get-session, list-sessions,
 * change-password). The cookie is HttpOnly so page scripts never see the token; the JSON must not
 * hand it to them either. Pitwall's pages need none of it.
 */
async function withoutSessionTokens(res: Response): Promise<Response> {
  if (!(res.headers.get("content-type") ?? "").includes("application/json")) return res;
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
  }
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  return new Response(JSON.stringify(stripTokens(body)), { status: res.status, statusText: res.statusText, headers });
}

function stripTokens(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripTokens);
  if (value === null || typeof value !== "object") return value;
  const { token: _token, ...rest } = value as Record<string, unknown>;
  if (rest.session !== undefined) rest.session = stripTokens(rest.session);
  return rest;
}

function emailOf(text: string): string {
  try {
    const email = (JSON.parse(text) as { email?: unknown }).email;
    return typeof email === "string" ? email.slice(0, 254) : "";
  } catch {
    return "";
  }
}

/** Signs a just-created account in (setup, invitation) and returns the session cookies to set. */
export async function signInCookies(db: Db, req: Request, email: string, password: string): Promise<string[]> {
  const auth = await getAuthFor(db, req.headers, req.url);
  const res = await auth.api.signInEmail({ body: { email, password }, headers: req.headers, asResponse: true });
  if (!res.ok) throw new AppError("internal:sign_in", "The account was created but signing in failed; sign in on the sign-in page.");
  return res.headers.getSetCookie();
}
