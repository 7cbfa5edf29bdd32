import type { CachePolicy } from "../policies/cache-policy-schema";
import { compileRoutingPolicy } from "../policies/plan-route";
import { cacheMismatch } from "../policies/resolve-cache-rule";
import type { RoutingPolicy } from "../policies/routing-policy-schema";

/** The project's live documents as the SDK applies them (version 0: nothing saved yet). */
export type LivePolicies = { routing: RoutingPolicy; routingVersion: number; cache: CachePolicy; cacheVersion: number };

export type PolicyStats = {
  /** Requests made to GET /api/v1/policies. */
  fetches: number;
  /** Of those, answered 304 (nothing changed). */
  notModified: number;
  /** New versions taken. */
  updates: number;
  /** Failed fetches and refused documents; the last known policies stayed in force. */
  errors: number;
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

// The server validated each document with the zod schema when it was saved; the SDK carries no
// zod (it stays a small dependency-free bundle), so it checks the shape, fills the defaults the
// schema would, and compiles the matchers: a document that does not compile is refused whole.
function routingOf(v: unknown): RoutingPolicy | null {
  if (!isObj(v) || (v.rules !== undefined && !Array.isArray(v.rules)) || (v.default !== undefined && !isObj(v.default))) return null;
  const rules = ((v.rules as unknown[] | undefined) ?? []).map((r) => (isObj(r) && typeof r.id === "string" && isObj(r.action) && (r.match === undefined || isObj(r.match)) ? { ...r, match: r.match ?? {} } : null));
  if (rules.some((r) => r === null)) return null;
  const policy = { ...v, rules, default: v.default ?? {} } as unknown as RoutingPolicy;
  compileRoutingPolicy(policy);
  return policy;
}

function cacheOf(v: unknown): CachePolicy | null {
  if (!isObj(v) || (v.rules !== undefined && !Array.isArray(v.rules))) return null;
  const setting = (s: Obj) => (typeof s.ttlSec === "number" && Number.isFinite(s.ttlSec) && s.ttlSec >= 0 ? { ...s, scope: s.scope === "user" ? "user" : "project" } : null);
  const rules = ((v.rules as unknown[] | undefined) ?? []).map((r) => (isObj(r) && typeof r.id === "string" && (r.match === undefined || isObj(r.match)) ? setting({ ...r, match: r.match ?? {} }) : null));
  const def = v.default === undefined ? { ttlSec: 0, scope: "project" } : isObj(v.default) ? setting(v.default) : null;
  if (rules.some((r) => r === null) || def === null) return null;
  const policy = { ...v, rules, default: def } as unknown as CachePolicy;
  for (const rule of policy.rules) cacheMismatch(rule.match, { model: "", tags: {} });
  return policy;
}

function versionOf(v: unknown): number | null {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : null;
}

/** Parses GET /api/v1/policies' answer, or null when it is not one. */
export function parseLivePolicies(body: unknown): LivePolicies | null {
  if (!isObj(body) || !isObj(body.routing) || !isObj(body.cache)) return null;
  const routingVersion = versionOf(body.routing.version);
  const cacheVersion = versionOf(body.cache.version);
  if (routingVersion === null || cacheVersion === null) return null;
  try {
    const routing = routingOf(body.routing.document);
    const cache = cacheOf(body.cache.document);
    return routing && cache ? { routing, routingVersion, cache, cacheVersion } : null;
  } catch {
    return null; // a pattern or tag of the wrong type: the matchers would not compile
  }
}

export type PolicySyncOptions = {
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch;
  refreshMs: number;
  timeoutMs: number;
  onError?: (error: Error) => void;
};

/**
 * Keeps the project's live policies in the process: GET /api/v1/policies every `refreshMs` with
 * If-None-Match, so an unchanged version costs a 304 without a body. Any failure (network,
 * status, a refused document) keeps the last known policies and is counted; nothing here throws
 * into the agent's calls.
 */
export class PolicySync {
  current: LivePolicies | null = null;
  readonly stats: PolicyStats = { fetches: 0, notModified: 0, updates: 0, errors: 0 };
  private etag: string | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private inflight: Promise<void> | null = null;
  private first: Promise<void> | null = null;

  constructor(private readonly o: PolicySyncOptions) {}

  start(): void {
    this.first = this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.o.refreshMs);
    // Polling never keeps a process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Resolves once the first fetch ended, taken or failed. */
  ready(): Promise<void> {
    return this.first ?? Promise.resolve();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One fetch now (joins one already in flight). */
  refresh(): Promise<void> {
    this.inflight ??= this.fetchOnce().finally(() => (this.inflight = null));
    return this.inflight;
  }

  private fail(message: string): void {
    this.stats.errors++;
    this.o.onError?.(new Error(`Pitwall policies: ${message}; keeping ${this.current ? `routing v${this.current.routingVersion}, cache v${this.current.cacheVersion}` : "none (calls pass through)"}`));
  }

  private async fetchOnce(): Promise<void> {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), this.o.timeoutMs);
    this.stats.fetches++;
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${this.o.apiKey}`, accept: "application/json" };
      if (this.etag && this.current) headers["if-none-match"] = this.etag;
      const res = await this.o.fetch(`${this.o.baseUrl}/api/v1/policies`, { headers, signal: controller.signal });
      if (res.status === 304) {
        this.stats.notModified++;
        return;
      }
      const text = await res.text();
      if (res.status !== 200) return this.fail(`GET /api/v1/policies answered ${res.status}: ${text.slice(0, 200)}`);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return this.fail("GET /api/v1/policies answered something that is not JSON");
      }
      const live = parseLivePolicies(body);
      if (!live) return this.fail("GET /api/v1/policies answered documents the SDK cannot apply");
      this.etag = res.headers.get("etag");
      if (!this.current || this.current.routingVersion !== live.routingVersion || this.current.cacheVersion !== live.cacheVersion) this.stats.updates++;
      this.current = live;
    } catch (err) {
      this.fail(`could not reach Pitwall (${(err as Error).message})`);
    } finally {
      clearTimeout(timeout);
    }
  }
}
