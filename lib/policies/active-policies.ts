import { and, eq, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { activePolicies, policyVersions, type PolicyKind } from "@/db/schema";
import { log } from "../log";
import type { CachePolicy } from "./cache-policy-schema";
import { EMPTY_POLICIES, parsePolicyDocument } from "./policy-document";
import type { RoutingPolicy } from "./routing-policy-schema";

/** What the gateway runs a project's calls under. Version 0 = nothing saved (the empty policy). */
export type ActivePolicies = {
  routing: RoutingPolicy;
  routingVersion: number;
  cache: CachePolicy;
  cacheVersion: number;
};

/**
 * Without a LISTEN connection (PGlite, or before it is up) a change made by any process shows here
 * within CHECK_INTERVAL_MS plus one query: a cached value older than that is confirmed by a
 * primary-key lookup of the two active version numbers before it is served, and documents are
 * re-read only when a number moved. At most one such query per project per interval per process
 * reaches the database, whatever the request rate. With LISTEN, a NOTIFY invalidates at once and
 * polling backs it up every SAFETY_NET_INTERVAL_MS.
 */
export const CHECK_INTERVAL_MS = 1000;
export const SAFETY_NET_INTERVAL_MS = 5000;

type Entry = { value: ActivePolicies; checkedAt: number; pending: Promise<ActivePolicies> | null };

export class ActivePolicyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly db: Db,
    private readonly opts: { checkIntervalMs?: number; now?: () => number } = {},
  ) {}

  /** Set while a LISTEN connection delivers changes: polling then only backs it up. */
  setCheckInterval(ms: number): void {
    this.opts.checkIntervalMs = ms;
  }

  async get(projectId: string): Promise<ActivePolicies> {
    const now = (this.opts.now ?? Date.now)();
    const entry = this.entries.get(projectId);
    if (entry && now - entry.checkedAt < (this.opts.checkIntervalMs ?? CHECK_INTERVAL_MS)) return entry.value;
    if (entry?.pending) return entry.pending;
    const pending = this.refresh(projectId, entry?.value ?? null, now);
    if (entry) entry.pending = pending;
    else this.entries.set(projectId, { value: emptyPolicies(), checkedAt: -Infinity, pending });
    try {
      return await pending;
    } finally {
      const e = this.entries.get(projectId);
      if (e?.pending === pending) e.pending = null;
    }
  }

  /** Forgets a project so its next read goes to the database (after a save, or a NOTIFY). */
  invalidate(projectId: string): void {
    const entry = this.entries.get(projectId);
    if (entry) entry.checkedAt = -Infinity;
  }

  /** After a LISTEN (re)connect: a change may have been missed while it was down. */
  invalidateAll(): void {
    for (const entry of this.entries.values()) entry.checkedAt = -Infinity;
  }

  private async refresh(projectId: string, current: ActivePolicies | null, now: number): Promise<ActivePolicies> {
    let value: ActivePolicies;
    try {
      value = await this.load(projectId, current);
    } catch (err) {
      // Keep serving what we had (or pass-through) while the database is away; retry next interval.
      log.warn({ err, projectId }, "could not refresh active policies; serving the last known ones");
      value = current ?? emptyPolicies();
    }
    this.entries.set(projectId, { value, checkedAt: now, pending: null });
    return value;
  }

  private async load(projectId: string, current: ActivePolicies | null): Promise<ActivePolicies> {
    const pointers = await this.db
      .select({ kind: activePolicies.kind, version: activePolicies.version })
      .from(activePolicies)
      .where(eq(activePolicies.projectId, projectId));
    const routingVersion = pointers.find((p) => p.kind === "routing")?.version ?? 0;
    const cacheVersion = pointers.find((p) => p.kind === "cache")?.version ?? 0;
    const next: ActivePolicies = current ? { ...current } : emptyPolicies();

    const wanted: { kind: PolicyKind; version: number }[] = [];
    if (!current || current.routingVersion !== routingVersion) {
      if (routingVersion === 0) Object.assign(next, { routing: EMPTY_POLICIES.routing, routingVersion: 0 });
      else wanted.push({ kind: "routing", version: routingVersion });
    }
    if (!current || current.cacheVersion !== cacheVersion) {
      if (cacheVersion === 0) Object.assign(next, { cache: EMPTY_POLICIES.cache, cacheVersion: 0 });
      else wanted.push({ kind: "cache", version: cacheVersion });
    }
    if (wanted.length === 0) return current ?? next;

    const docs = await this.db
      .select({ kind: policyVersions.kind, version: policyVersions.version, document: policyVersions.document })
      .from(policyVersions)
      .where(and(eq(policyVersions.projectId, projectId), or(...wanted.map((w) => and(eq(policyVersions.kind, w.kind), eq(policyVersions.version, w.version))))));
    for (const w of wanted) {
      const row = docs.find((d) => d.kind === w.kind && d.version === w.version);
      // Stored documents were validated on save; parsing again fills defaults a newer schema added.
      const parsed = row ? parsePolicyDocument(w.kind, row.document) : null;
      if (!parsed?.ok) {
        log.error({ projectId, kind: w.kind, version: w.version }, "active policy document is missing or invalid; using the empty policy");
      }
      if (w.kind === "routing") {
        next.routing = parsed?.ok ? (parsed.document as RoutingPolicy) : EMPTY_POLICIES.routing;
        next.routingVersion = w.version;
      } else {
        next.cache = parsed?.ok ? (parsed.document as CachePolicy) : EMPTY_POLICIES.cache;
        next.cacheVersion = w.version;
      }
    }
    return next;
  }
}

function emptyPolicies(): ActivePolicies {
  return { routing: EMPTY_POLICIES.routing, routingVersion: 0, cache: EMPTY_POLICIES.cache, cacheVersion: 0 };
}

// One cache per database handle per process, kept on globalThis because the custom server and
// Next's bundle load this module separately; keyed by handle so tests with two handles stay apart.
const GLOBAL_KEY = Symbol.for("pitwall.activePolicies");
type G = typeof globalThis & { [GLOBAL_KEY]?: WeakMap<Db, ActivePolicyCache> };

export function cacheFor(db: Db): ActivePolicyCache {
  const g = globalThis as G;
  const byDb = (g[GLOBAL_KEY] ??= new WeakMap());
  let cache = byDb.get(db);
  if (!cache) {
    cache = new ActivePolicyCache(db);
    byDb.set(db, cache);
  }
  return cache;
}

/** The project's live routing and cache policies, cached per process (see CHECK_INTERVAL_MS). */
export function getActivePolicies(db: Db, projectId: string): Promise<ActivePolicies> {
  return cacheFor(db).get(projectId);
}

/** Makes this process see its own change at once (others get a NOTIFY, or poll; see policy-listener). */
export function invalidateActivePolicies(db: Db, projectId: string): void {
  cacheFor(db).invalidate(projectId);
}
