import { and, desc, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { activePolicies, policyVersions, projects, type PolicyKind } from "@/db/schema";
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

/**
 * Validates and stores a new version (numbered max + 1 for the project and kind) and, unless
 * `activate` is false, makes it the live one, all in one transaction. Locking the project row
 * serializes concurrent saves so two editors never get the same number.
 */
export async function saveVersion(
  db: Db,
  params: { projectId: string; kind: PolicyKind; document: unknown; comment?: string | null; createdBy?: string | null; activate?: boolean },
): Promise<PolicyVersion> {
  const document = requirePolicyDocument(params.kind, params.document) as Record<string, unknown>;
  const saved = await db.transaction(async (tx) => {
    const locked = await tx.select({ id: projects.id }).from(projects).where(eq(projects.id, params.projectId)).for("update");
    if (locked.length === 0) throw new AppError("not_found:project", "Project not found.");
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
    if (params.activate !== false) await setActive(tx, params.projectId, params.kind, row!.version, params.createdBy ?? null);
    return row!;
  });
  if (params.activate !== false) invalidateActivePolicies(db, params.projectId);
  return saved;
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
  await setActive(db, params.projectId, params.kind, params.version, params.activatedBy ?? null);
  invalidateActivePolicies(db, params.projectId);
  const active = (await getActiveVersions(db, params.projectId)).find((a) => a.kind === params.kind);
  return active!;
}
