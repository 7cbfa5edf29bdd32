import { and, desc, eq, gte, inArray, lte, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { activePolicies, policyAudit, policyVersions, projects, type PolicyAuditAction, type PolicyKind } from "@/db/schema";
import { AppError } from "../errors";
import { invalidateActivePolicies } from "./active-policies";
import { requirePolicyDocument } from "./policy-document";

export type PolicyVersion = {
  kind: PolicyKind;
  version: number;
  document: Record<string, unknown>;
  comment: string | null;
  createdBy: string | null;
  createdAt: Date;
};

const versionColumns = {
  kind: policyVersions.kind,
  version: policyVersions.version,
  document: policyVersions.document,
  comment: policyVersions.comment,
  createdBy: policyVersions.createdBy,
  createdAt: policyVersions.createdAt,
};

/** The NOTIFY channel every process LISTENs on; the payload is the project id (see policy-listener.ts). */
export const POLICY_CHANNEL = "pitwall_policies";

export type SaveParams = {
  projectId: string;
  kind: PolicyKind;
  document: unknown;
  comment?: string | null;
  createdBy?: string | null;
  activate?: boolean;
  /** If-Match: the live version the edit was made on (0 = none live); another live version is a 409. */
  expectedVersion?: number;
  /** A rollback copies this old version's document (recorded in the audit log). */
  rollbackOf?: number;
  /** Runs inside the save's transaction: a record that must exist with the version or not at all. */
  onSaved?: (tx: DbOrTx, saved: PolicyVersion) => Promise<void>;
};

/**
 * Validates and stores a new version (numbered max + 1 for the project and kind) and, unless
 * `activate` is false, makes it the live one, with its audit row and change notification, all in
 * one transaction. Locking the project row serializes concurrent saves so two editors never get
 * the same number and an If-Match check cannot race another save.
 */
export async function saveVersion(db: Db, params: SaveParams): Promise<PolicyVersion> {
  const document = requirePolicyDocument(params.kind, params.document) as Record<string, unknown>;
  const activate = params.activate !== false;
  const saved = await db.transaction(async (tx) => {
    const locked = await tx.select({ id: projects.id }).from(projects).where(eq(projects.id, params.projectId)).for("update");
    if (locked.length === 0) throw new AppError("not_found:project", "Project not found.");
    const live = await liveVersion(tx, params.projectId, params.kind);
    if (params.expectedVersion !== undefined && params.expectedVersion !== (live ?? 0)) {
      throw new AppError("conflict:policy_version", `The live ${params.kind} policy is version ${live ?? 0}, not ${params.expectedVersion}: someone saved meanwhile. Reload and reapply your edit.`, {
        details: { liveVersion: live ?? 0, expectedVersion: params.expectedVersion },
      });
    }
    const [{ next }] = (await tx
      .select({ next: sql<number>`coalesce(max(${policyVersions.version}), 0) + 1` })
      .from(policyVersions)
      .where(and(eq(policyVersions.projectId, params.projectId), eq(policyVersions.kind, params.kind)))) as [{ next: number }];
    const [row] = await tx
      .insert(policyVersions)
      .values({
        projectId: params.projectId,
        kind: params.kind,
        version: Number(next),
        document,
        comment: params.comment ?? null,
        createdBy: params.createdBy ?? null,
      })
      .returning(versionColumns);
    const by = params.createdBy ?? null;
    if (activate) await setActive(tx, params.projectId, params.kind, row!.version, by);
    await tx.insert(policyAudit).values({
      projectId: params.projectId,
      kind: params.kind,
      action: params.rollbackOf !== undefined ? "rollback" : activate ? "save" : "save_draft",
      version: row!.version,
      previousVersion: live,
      sourceVersion: params.rollbackOf ?? null,
      live: activate,
      actor: by,
      comment: params.comment ?? null,
    });
    if (params.onSaved) await params.onSaved(tx, row!);
    if (activate) await notifyChange(tx, params.projectId);
    return row!;
  });
  if (activate) invalidateActivePolicies(db, params.projectId);
  return saved;
}

async function liveVersion(db: DbOrTx, projectId: string, kind: PolicyKind): Promise<number | null> {
  const [row] = await db
    .select({ version: activePolicies.version })
    .from(activePolicies)
    .where(and(eq(activePolicies.projectId, projectId), eq(activePolicies.kind, kind)));
  return row?.version ?? null;
}

// Delivered to every LISTENing process when the transaction commits, never before.
async function notifyChange(db: DbOrTx, projectId: string): Promise<void> {
  await db.execute(sql`select pg_notify(${POLICY_CHANNEL}, ${projectId})`);
}

/** Makes version n live again as a new version with n's document (history only grows). */
export async function rollbackToVersion(
  db: Db,
  params: { projectId: string; kind: PolicyKind; version: number; actor: string | null; expectedVersion?: number },
): Promise<PolicyVersion> {
  const old = await getVersion(db, params);
  if (!old) throw new AppError("not_found:policy_version", `There is no ${params.kind} policy version ${params.version}.`);
  return saveVersion(db, {
    projectId: params.projectId,
    kind: params.kind,
    document: old.document,
    comment: `Rollback to version ${params.version}`,
    createdBy: params.actor,
    rollbackOf: params.version,
    ...(params.expectedVersion !== undefined ? { expectedVersion: params.expectedVersion } : {}),
  });
}

async function setActive(db: DbOrTx, projectId: string, kind: PolicyKind, version: number, by: string | null): Promise<void> {
  await db
    .insert(activePolicies)
    .values({ projectId, kind, version, activatedBy: by })
    .onConflictDoUpdate({
      target: [activePolicies.projectId, activePolicies.kind],
      set: { version, activatedBy: by, activatedAt: sql`now()` },
    });
}

/** Newest first. */
export async function listVersions(db: Db, params: { projectId: string; kind: PolicyKind; limit?: number }): Promise<PolicyVersion[]> {
  return db
    .select(versionColumns)
    .from(policyVersions)
    .where(and(eq(policyVersions.projectId, params.projectId), eq(policyVersions.kind, params.kind)))
    .orderBy(desc(policyVersions.version))
    .limit(Math.min(Math.max(params.limit ?? 50, 1), 500));
}

export async function getVersion(db: Db, params: { projectId: string; kind: PolicyKind; version: number }): Promise<PolicyVersion | null> {
  const [row] = await db
    .select(versionColumns)
    .from(policyVersions)
    .where(and(eq(policyVersions.projectId, params.projectId), eq(policyVersions.kind, params.kind), eq(policyVersions.version, params.version)))
    .limit(1);
  return row ?? null;
}

/**
 * When each version last went live (saved live, or activated later; a rollback saves a new version), for the versions
 * given; a version missing from the map was never live: a draft saved with `activate: false`.
 */
export async function getWentLiveAt(db: Db, params: { projectId: string; kind: PolicyKind; versions: readonly number[] }): Promise<Map<number, Date>> {
  if (params.versions.length === 0) return new Map();
  const rows = await db
    .select({ version: policyAudit.version, at: sql<Date>`max(${policyAudit.at})`.mapWith(policyAudit.at) })
    .from(policyAudit)
    .where(and(eq(policyAudit.projectId, params.projectId), eq(policyAudit.kind, params.kind), eq(policyAudit.live, true), inArray(policyAudit.version, [...params.versions])))
    .groupBy(policyAudit.version);
  return new Map(rows.map((r) => [r.version, r.at]));
}

export type ActiveVersion = { kind: PolicyKind; version: number; activatedBy: string | null; activatedAt: Date };

/** The live version number per kind (absent kinds have never been saved). */
export async function getActiveVersions(db: Db, projectId: string): Promise<ActiveVersion[]> {
  return db
    .select({ kind: activePolicies.kind, version: activePolicies.version, activatedBy: activePolicies.activatedBy, activatedAt: activePolicies.activatedAt })
    .from(activePolicies)
    .where(eq(activePolicies.projectId, projectId));
}

/**
 * Makes an existing version live. A rollback is this with an older number: the pointer moves,
 * nothing is copied, and the version recorded on each call still names its exact document.
 */
export async function activateVersion(
  db: Db,
  params: { projectId: string; kind: PolicyKind; version: number; activatedBy?: string | null },
): Promise<ActiveVersion> {
  const existing = await getVersion(db, params);
  if (!existing) throw new AppError("not_found:policy_version", `There is no ${params.kind} policy version ${params.version}.`);
  await db.transaction(async (tx) => {
    await tx.select({ id: projects.id }).from(projects).where(eq(projects.id, params.projectId)).for("update");
    const live = await liveVersion(tx, params.projectId, params.kind);
    await setActive(tx, params.projectId, params.kind, params.version, params.activatedBy ?? null);
    await tx.insert(policyAudit).values({
      projectId: params.projectId,
      kind: params.kind,
      action: "activate",
      version: params.version,
      previousVersion: live,
      live: true,
      actor: params.activatedBy ?? null,
    });
    await notifyChange(tx, params.projectId);
  });
  invalidateActivePolicies(db, params.projectId);
  const active = (await getActiveVersions(db, params.projectId)).find((a) => a.kind === params.kind);
  return active!;
}

export type AuditEntry = {
  kind: PolicyKind;
  action: PolicyAuditAction;
  version: number;
  previousVersion: number | null;
  sourceVersion: number | null;
  live: boolean;
  actor: string | null;
  comment: string | null;
  at: Date;
};

const auditColumns = {
  kind: policyAudit.kind,
  action: policyAudit.action,
  version: policyAudit.version,
  previousVersion: policyAudit.previousVersion,
  sourceVersion: policyAudit.sourceVersion,
  live: policyAudit.live,
  actor: policyAudit.actor,
  comment: policyAudit.comment,
  at: policyAudit.at,
};

/**
 * Audit rows of a project, newest first. `liveOnly` keeps the changes that moved a live pointer:
 * the change markers of the charts.
 */
export async function listAudit(
  db: Db,
  params: { projectId: string; from?: Date; to?: Date; kind?: PolicyKind; liveOnly?: boolean; limit?: number },
): Promise<AuditEntry[]> {
  const where = [eq(policyAudit.projectId, params.projectId)];
  if (params.from) where.push(gte(policyAudit.at, params.from));
  if (params.to) where.push(lte(policyAudit.at, params.to));
  if (params.kind) where.push(eq(policyAudit.kind, params.kind));
  if (params.liveOnly) where.push(eq(policyAudit.live, true));
  return db
    .select(auditColumns)
    .from(policyAudit)
    .where(and(...where))
    .orderBy(desc(policyAudit.at))
    .limit(Math.min(Math.max(params.limit ?? 200, 1), 1000));
}
