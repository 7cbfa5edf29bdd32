import type { Db } from "@/db/client";
import { AppError } from "../errors";
import { SESSION_COOKIE, getAuthFor } from "./auth-instance";

export type SessionUser = { userId: string; email: string; name: string; sessionId: string };

/** Cheap pre-check so requests without a session cookie never touch the database. */
export function hasSessionCookie(headers: Headers): boolean {
  return (headers.get("cookie") ?? "").includes(SESSION_COOKIE);
}

/**
 * The signed-in user behind a request's session cookie, or null. better-auth checks the cookie's
 * signature and the session row (expiry, revocation) on every call: sign-out takes effect at once.
 */
export async function getSessionUser(db: Db, headers: Headers, url?: string): Promise<SessionUser | null> {
  if (!hasSessionCookie(headers)) return null;
  const auth = await getAuthFor(db, headers, url);
  let result;
  try {
    result = await auth.api.getSession({ headers });
  } catch (err) {
    // A malformed cookie is "not signed in"; a database failure stays an error.
    if (isBetterAuthClientError(err)) return null;
    throw err;
  }
  if (!result) return null;
  return { userId: result.user.id, email: result.user.email, name: result.user.name, sessionId: result.session.id };
}

function isBetterAuthClientError(err: unknown): boolean {
  const status = (err as { statusCode?: unknown })?.statusCode;
  return typeof status === "number" && status >= 400 && status < 500;
}

export function signInRequired(): AppError {
  return new AppError("unauthorized:session", "Sign in, or send a project API key.");
}
