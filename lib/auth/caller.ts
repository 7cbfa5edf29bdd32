import type { Db } from "@/db/client";
import type { ApiKeyScope } from "@/db/schema";
import { AppError } from "../errors";
import { verifyApiKey } from "./api-keys";
import { extractApiKey } from "./extract-api-key";
import { roleAtLeast, type Role } from "./roles";

/**
 * Who is calling, resolved for one project. Every route handler (Next or hot path) starts with
 * `authenticate`, and every query it runs is scoped by `caller.projectId`.
 */
export type Caller =
  | { kind: "user"; userId: string; email: string; projectId: string; role: Role }
  | { kind: "key"; keyId: string; projectId: string; scopes: ApiKeyScope[] };

export type AuthNeed = {
  /** Required when a project API key may call this route. */
  scope?: ApiKeyScope;
  /** Required when a signed-in user calls; API keys never pass a role check. */
  role: Role;
  /** The project a user asks for (slug from the URL or `?project=`); keys are bound to theirs. */
  projectSlug?: string | null;
};

type HeaderBag = Record<string, string | string[] | undefined>;

/**
 * Resolves a signed-in user to a Caller for the requested project (membership + role), or null
 * when the request carries no session. Registered by the session module (lib/auth/session-caller.ts).
 */
export type SessionCallerResolver = (db: Db, headers: Headers, projectSlug: string | null | undefined) => Promise<Caller | null>;

const RESOLVER_KEY = Symbol.for("pitwall.sessionCallerResolver");
type G = typeof globalThis & { [RESOLVER_KEY]?: SessionCallerResolver };

export function registerSessionCallerResolver(resolver: SessionCallerResolver): void {
  (globalThis as G)[RESOLVER_KEY] = resolver;
}

function toHeaders(bag: Headers | HeaderBag): Headers {
  if (bag instanceof Headers) return bag;
  const h = new Headers();
  for (const [k, v] of Object.entries(bag)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(", ") : v);
  return h;
}

function hasKeyHeader(h: Headers): boolean {
  return h.has("x-api-key") || /^Bearer\s/i.test(h.get("authorization") ?? "");
}

/**
 * Authenticates by API key (Authorization: Bearer / x-api-key) or by session cookie, then checks
 * the scope (keys) or role (users). 401 when nobody is signed in, 403 when the caller lacks rights.
 */
export async function authenticate(db: Db, req: { headers: Headers | HeaderBag; url?: string }, need: AuthNeed): Promise<Caller> {
  const headers = toHeaders(req.headers);
  if (hasKeyHeader(headers)) {
    if (!need.scope) throw new AppError("forbidden:api_key", "This endpoint needs a signed-in user, not an API key.");
    const pathAndQuery = req.url ? req.url.replace(/^[a-z]+:\/\/[^/]+/i, "") : undefined;
    const secret = extractApiKey(Object.fromEntries(headers.entries()), pathAndQuery);
    const key = await verifyApiKey(db, secret, need.scope);
    return { kind: "key", keyId: key.keyId, projectId: key.projectId, scopes: key.scopes };
  }
  const resolver = (globalThis as G)[RESOLVER_KEY];
  const caller = resolver ? await resolver(db, headers, need.projectSlug) : null;
  if (!caller) throw new AppError("unauthorized:session", "Sign in, or send a project API key.");
  if (caller.kind === "user" && !roleAtLeast(caller.role, need.role)) {
    throw new AppError("forbidden:role", `This needs the ${need.role} role in this project.`);
  }
  return caller;
}
