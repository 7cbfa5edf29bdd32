import { z } from "zod";
import type { Db } from "@/db/client";
import { POLICY_KINDS } from "@/db/schema";
import { authenticate } from "../../auth/caller";
import { projectParam } from "../../auth/http/parse";
import { AppError } from "../../errors";
import { json } from "../../http/web-handler";
import { compareSides, getSideStats, MIN_REQUESTS_PER_SIDE, sideWindows, type NeighbourChange } from "../change-deltas";
import { describeDiff, diffPolicies } from "../policy-diff";
import { getActiveVersions, getWentLiveAt, listAudit, listVersions, rollbackToVersion, type AuditEntry } from "../policy-queries";
import { actor, badBody, ifMatchVersion, parseKind, VersionNumber, versionEtag } from "./policy-http";

export type VersionContext = { params: Promise<{ kind: string; n: string }> };

/**
 * GET /api/v1/policies/:kind/versions?project=slug&limit=50: newest first, each with its semantic
 * diff to the version before it (version 1 against the empty policy).
 */
export async function getVersionHistory(db: Db, req: Request, ctx: { params: Promise<{ kind: string }> }): Promise<Response> {
  const kind = parseKind((await ctx.params).kind);
  const caller = await authenticate(db, req, { scope: "metrics:read", role: "viewer", projectSlug: projectParam(req) });
  const limit = z.coerce.number().int().min(1).max(500).catch(50).parse(new URL(req.url).searchParams.get("limit") ?? 50);
  // One more than shown so the oldest shown version has its predecessor to diff against.
  const [versions, pointers] = await Promise.all([listVersions(db, { projectId: caller.projectId, kind, limit: limit + 1 }), getActiveVersions(db, caller.projectId)]);
  const live = pointers.find((p) => p.kind === kind)?.version ?? 0;
  const wentLive = await getWentLiveAt(db, { projectId: caller.projectId, kind, versions: versions.slice(0, limit).map((v) => v.version) });
  const shown = versions.slice(0, limit).map((v, i) => {
    // Version numbers have no gaps, so the next row is the version before; version 1 has none.
    const diff = diffPolicies(kind, versions[i + 1]?.document ?? null, v.document);
    return {
      version: v.version,
      document: v.document,
      comment: v.comment,
      createdBy: v.createdBy,
      createdAt: v.createdAt.toISOString(),
      live: v.version === live,
      /** The last time this version went live; null: a draft that was never live. */
      wentLiveAt: wentLive.get(v.version)?.toISOString() ?? null,
      diff,
      summary: describeDiff(diff),
    };
  });
  return json({ kind, liveVersion: live, versions: shown, truncated: versions.length > limit });
}

/**
 * POST /api/v1/policies/:kind/versions/:n/rollback?project=slug: makes version n live again as a
 * new version with n's document. Editors only; takes an optional If-Match like PUT.
 */
export async function postRollback(db: Db, req: Request, ctx: VersionContext): Promise<Response> {
  const params = await ctx.params;
  const kind = parseKind(params.kind);
  const n = VersionNumber.safeParse(params.n);
  if (!n.success) throw new AppError("bad_request:version", "The version must be a whole number of at least 1.");
  const caller = await authenticate(db, req, { role: "editor", projectSlug: projectParam(req) });
  const expectedVersion = ifMatchVersion(req);
  const saved = await rollbackToVersion(db, {
    projectId: caller.projectId,
    kind,
    version: n.data,
    actor: actor(caller),
    ...(expectedVersion !== undefined ? { expectedVersion } : {}),
  });
  return json(
    { kind, version: saved.version, rolledBackTo: n.data, document: saved.document, comment: saved.comment, createdBy: saved.createdBy, createdAt: saved.createdAt.toISOString() },
    { status: 201, headers: { etag: versionEtag(saved.version) } },
  );
}

function presentAudit(a: AuditEntry) {
  return {
    kind: a.kind,
    action: a.action,
    version: a.version,
    previousVersion: a.previousVersion,
    sourceVersion: a.sourceVersion,
    live: a.live,
    actor: a.actor,
    comment: a.comment,
    at: a.at.toISOString(),
  };
}

const DAY_MS = 86_400_000;
const RangeQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  kind: z.enum(POLICY_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

function rangeOf(req: Request) {
  const params = Object.fromEntries([...new URL(req.url).searchParams].filter(([k]) => k !== "project"));
  const parsed = RangeQuery.safeParse(params);
  if (!parsed.success) throw badBody(parsed.error);
  const to = parsed.data.to ? new Date(parsed.data.to) : new Date();
  const from = parsed.data.from ? new Date(parsed.data.from) : new Date(to.getTime() - 30 * DAY_MS);
  if (from > to) throw new AppError("bad_request:range", "from must not be after to.");
  return { from, to, kind: parsed.data.kind, limit: parsed.data.limit };
}

/**
 * GET /api/v1/policies/changes?project=slug&from=&to=: the chart markers, oldest first: each time a
 * version went live (save, activation or rollback), which and by whom. Default: the last 30 days.
 */
export async function getChanges(db: Db, req: Request): Promise<Response> {
  const caller = await authenticate(db, req, { scope: "metrics:read", role: "viewer", projectSlug: projectParam(req) });
  const range = rangeOf(req);
  const rows = await listAudit(db, { projectId: caller.projectId, from: range.from, to: range.to, kind: range.kind, liveOnly: true, limit: range.limit ?? 1000 });
  return json({ from: range.from.toISOString(), to: range.to.toISOString(), changes: rows.reverse().map(presentAudit) });
}

/** GET /api/v1/policies/audit?project=slug&from=&to=&kind=: every save, activation and rollback, newest first. */
export async function getAudit(db: Db, req: Request): Promise<Response> {
  const caller = await authenticate(db, req, { scope: "metrics:read", role: "viewer", projectSlug: projectParam(req) });
  const range = rangeOf(req);
  const rows = await listAudit(db, { projectId: caller.projectId, from: range.from, to: range.to, kind: range.kind, limit: range.limit ?? 200 });
  return json({ entries: rows.map(presentAudit) });
}

const DeltaQuery = z.strictObject({
  at: z.iso.datetime({ offset: true }),
  /** Length of each side; capped at the time since `at` (both sides), then cut at neighbouring changes. */
  seconds: z.coerce.number().int().min(60).max(30 * 86_400).default(3600),
  /** As on the dashboards: playground calls are left out unless included. */
  playground: z.enum(["include", "exclude"]).default("exclude"),
});

/**
 * GET /api/v1/policies/changes/deltas?project=slug&at=<when a version went live>&seconds=3600:
 * p95 latency, TTFT p95, cost per request, response- and prompt-cache hit rates and error rate over
 * the same length of time before and after, each with its request counts ("too few" under 30).
 */
export async function getChangeDeltas(db: Db, req: Request): Promise<Response> {
  const caller = await authenticate(db, req, { scope: "metrics:read", role: "viewer", projectSlug: projectParam(req) });
  const params = Object.fromEntries([...new URL(req.url).searchParams].filter(([k]) => k !== "project"));
  const parsed = DeltaQuery.safeParse(params);
  if (!parsed.success) throw badBody(parsed.error);
  const at = new Date(parsed.data.at);
  const now = new Date();
  if (now.getTime() - at.getTime() < 1000) throw new AppError("bad_request:at", "at must be in the past.");
  const span = parsed.data.seconds * 1000;
  const nearby = await listAudit(db, { projectId: caller.projectId, from: new Date(at.getTime() - span), to: new Date(at.getTime() + span), liveOnly: true, limit: 1000 });
  const changes: NeighbourChange[] = nearby.map((c) => ({ kind: c.kind, version: c.version, at: c.at }));
  const w = sideWindows({ at, seconds: parsed.data.seconds, now, changes });
  const sides = await getSideStats(db, { projectId: caller.projectId, at, from: w.from, to: w.to, playground: parsed.data.playground });
  const neighbour = (c: NeighbourChange | null) => (c ? { kind: c.kind, version: c.version, at: c.at.toISOString() } : null);
  return json({
    at: at.toISOString(),
    seconds: Math.max(w.beforeSeconds, w.afterSeconds),
    before: { from: w.from.toISOString(), seconds: w.beforeSeconds, cutAt: neighbour(w.cutBefore) },
    after: { to: w.to.toISOString(), seconds: w.afterSeconds, cutAt: neighbour(w.cutAfter) },
    minRequestsPerSide: MIN_REQUESTS_PER_SIDE,
    deltas: compareSides(sides.before, sides.after),
  });
}
