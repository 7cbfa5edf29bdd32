import type { Db } from "@/db/client";
import type { ApiKeyScope } from "@/db/schema";
import { AppError } from "../errors";
import { getMembershipBySlug } from "../projects/members";
import { resolveApiKey, verifyApiKey } from "./api-keys";
import { extractApiKey } from "./extract-api-key";
import { assertSameOrigin, isSafeMethod } from "./origin-check";
import { projectIdForSlug } from "./project-slug-cache";
import { clientIp } from "./request-origin";
import { enforceKeyRateLimit } from "./rate-limit";
import { roleAtLeast, type Role } from "../projects/roles";
import { getSessionUser, signInRequired, type SessionUser } from "./session";

/**
 * Who is calling, resolved for one project. Every route handler (Next or hot path) starts with
 * `authenticate`, and every query it runs is scoped by `caller.projectId`.
 */
export type Caller =
  | { kind: "user"; userId: string; email: string; projectId: string; role: Role }
  | { kind: "key"; keyId: string; projectId: string; scopes: ApiKeyScope[] };

export type AuthNeed = {
  /** Required when a project API key may call this route; a list means any one of them. */
  scope?: ApiKeyScope | readonly ApiKeyScope[];
  /** Required when a signed-in user calls; API keys never pass a role check. */
  role: Role;
  /** The project a user asks for (slug from the URL or `?project=`); keys are bound to theirs. */
  projectSlug?: string | null;
};

type HeaderBag = Record<string, string | string[] | undefined>;
/** A web Request, a node IncomingMessage, or `{ headers }` from a server component. */
export type AuthRequest = { headers: Headers | HeaderBag; url?: string; method?: string };

/** Node's header bag as web Headers (values a web Headers refuses are dropped). */
export function headersOf(bag: Headers | HeaderBag): Headers {
  if (bag instanceof Headers) return bag;
  const h = new Headers();
  for (const [k, v] of Object.entries(bag)) {
    if (v === undefined) continue;
    try {
      h.set(k, Array.isArray(v) ? v.join(", ") : v);
    } catch {
      // A header value a web Headers refuses (control characters) cannot be a valid credential.
    }
  }
  return h;
}

function hasKeyHeader(h: Headers): boolean {
  return h.has("x-api-key") || /^Bearer\s/i.test(h.get("authorization") ?? "");
}

/** Absolute URL for the origin check; node requests carry only the path. */
function absoluteUrl(req: AuthRequest): string | undefined {
  return req.url && /^[a-z]+:\/\//i.test(req.url) ? req.url : undefined;
}

/**
 * Authenticates by API key (Authorization: Bearer / x-api-key) or by session cookie, then checks
 * the scope (keys) or role and membership (users). 401 when nobody is signed in, 403 when the
 * caller lacks rights, 404 for a project the user is not a member of (existence is not revealed).
 * Cookie-authenticated mutations must come from this origin (CSRF); key callers are rate limited.
 */
export async function authenticate(db: Db, req: AuthRequest, need: AuthNeed): Promise<Caller> {
  const headers = headersOf(req.headers);
  if (hasKeyHeader(headers)) return authenticateKey(db, req, headers, need);
  const user = await requireSessionUser(db, req, headers);
  const slug = need.projectSlug;
  if (!slug) throw new AppError("bad_request:project", "Name the project: ?project=<slug>.");
  const membership = await getMembershipBySlug(db, { userId: user.userId, slug });
  if (!membership) throw projectNotFound();
  if (!roleAtLeast(membership.role, need.role)) {
    throw new AppError("forbidden:role", `This needs the ${need.role} role in this project.`);
  }
  return { kind: "user", userId: user.userId, email: user.email, projectId: membership.projectId, role: membership.role };
}

/**
 * For routes that are about the user rather than one project (list my projects, create one):
 * a signed-in user, CSRF-checked on mutations. API keys are refused.
 */
export async function authenticateUser(db: Db, req: AuthRequest): Promise<SessionUser> {
  const headers = headersOf(req.headers);
  if (hasKeyHeader(headers)) {
    await resolveApiKey(db, keyOf(req, headers), { clientIp: clientIp(headers) });
    throw keysRefused();
  }
  return requireSessionUser(db, req, headers);
}

async function requireSessionUser(db: Db, req: AuthRequest, headers: Headers): Promise<SessionUser> {
  const url = absoluteUrl(req);
  const user = await getSessionUser(db, headers, url);
  if (!user) throw signInRequired();
  if (!isSafeMethod(req.method)) assertSameOrigin(headers, url);
  return user;
}

/** The key a request carries (a key in the query string is refused); node URLs are path-only. */
function keyOf(req: AuthRequest, headers: Headers): string {
  const pathAndQuery = req.url ? req.url.replace(/^[a-z]+:\/\/[^/]+/i, "") : undefined;
  return extractApiKey(Object.fromEntries(headers.entries()), pathAndQuery);
}

async function authenticateKey(db: Db, req: AuthRequest, headers: Headers, need: AuthNeed): Promise<Caller> {
  const secret = keyOf(req, headers);
  // A bad key is a 401 everywhere; a good key on a users-only route is a 403.
  const ctx = { clientIp: clientIp(headers) };
  if (!need.scope) {
    await resolveApiKey(db, secret, ctx);
    throw keysRefused();
  }
  const key = await verifyApiKey(db, secret, need.scope, ctx);
  if (need.projectSlug) {
    // A key names its project by itself; asking it for another project is refused, not redirected.
    const projectId = await projectIdForSlug(db, need.projectSlug);
    if (projectId !== key.projectId) throw new AppError("forbidden:api_key_project", "This API key belongs to another project.");
  }
  await enforceKeyRateLimit(db, key);
  return { kind: "key", keyId: key.keyId, projectId: key.projectId, scopes: key.scopes };
}

function keysRefused(): AppError {
  return new AppError("forbidden:api_key", "This endpoint needs a signed-in user, not an API key.");
}

export function projectNotFound(): AppError {
  return new AppError("not_found:project", "No such project, or you are not a member of it.");
}
