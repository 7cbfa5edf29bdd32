import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { AppError } from "../errors";
import { createProject } from "../projects/project-queries";
import { activateVersion, getActiveVersions, getVersion, listVersions, saveVersion } from "./policy-queries";
import { getActivePolicies } from "./active-policies";

let handle: DbHandle;
let projectId: string;
let otherProjectId: string;

beforeAll(async () => {
  handle = await createTestDb();
  projectId = (await createProject(handle.db, { slug: "pq-main" })).id;
  otherProjectId = (await createProject(handle.db, { slug: "pq-other" })).id;
});
afterAll(async () => handle?.close());

const routing = (model: string) => ({ rules: [{ id: "all", action: { model } }] });

describe("policy versions", () => {
  it("numbers versions per project and kind, stores the validated document and activates it", async () => {
    const v1 = await saveVersion(handle.db, { projectId, kind: "routing", document: routing("claude-haiku-4-5"), comment: "first", createdBy: "a@x.dev" });
    const v2 = await saveVersion(handle.db, { projectId, kind: "routing", document: routing("claude-sonnet-4-5"), createdBy: "b@x.dev" });
    const c1 = await saveVersion(handle.db, { projectId, kind: "cache", document: { default: { ttlSec: 60 } } });
    const o1 = await saveVersion(handle.db, { projectId: otherProjectId, kind: "routing", document: {} });
    expect([v1.version, v2.version, c1.version, o1.version]).toEqual([1, 2, 1, 1]);
    // Defaults are filled in before storing.
    expect(v1.document).toEqual({ rules: [{ id: "all", match: {}, action: { model: "claude-haiku-4-5" } }], default: {} });
    expect(c1.document).toEqual({ rules: [], default: { ttlSec: 60, scope: "project" } });
    expect(v1).toMatchObject({ comment: "first", createdBy: "a@x.dev" });

    const active = await getActiveVersions(handle.db, projectId);
    expect(active.map((a) => [a.kind, a.version]).sort()).toEqual([["cache", 1], ["routing", 2]]);
    expect((await listVersions(handle.db, { projectId, kind: "routing" })).map((v) => v.version)).toEqual([2, 1]);
    expect((await getVersion(handle.db, { projectId, kind: "routing", version: 1 }))?.document).toEqual(v1.document);
    expect(await getVersion(handle.db, { projectId: otherProjectId, kind: "routing", version: 2 })).toBeNull();
  });

  it("refuses an invalid document with its issues and stores nothing", async () => {
    const before = (await listVersions(handle.db, { projectId, kind: "routing" })).length;
    const err = await saveVersion(handle.db, { projectId, kind: "routing", document: { rules: [{ id: "x", action: { model: "claude-*" } }] } }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.status).toBe(400);
    expect(err.details.issues).toContainEqual(expect.objectContaining({ path: "rules.0.action.model" }));
    expect((await listVersions(handle.db, { projectId, kind: "routing" })).length).toBe(before);
  });

  it("can save without activating", async () => {
    const draft = await saveVersion(handle.db, { projectId: otherProjectId, kind: "cache", document: {}, activate: false });
    expect(draft.version).toBe(1);
    expect((await getActiveVersions(handle.db, otherProjectId)).find((a) => a.kind === "cache")).toBeUndefined();
  });

  it("rolls back by activating an older version, which this process serves at once", async () => {
    const p = (await createProject(handle.db, { slug: "pq-rollback" })).id;
    await saveVersion(handle.db, { projectId: p, kind: "routing", document: routing("m-one") });
    await saveVersion(handle.db, { projectId: p, kind: "routing", document: routing("m-two") });
    expect((await getActivePolicies(handle.db, p)).routing.rules[0]!.action.model).toBe("m-two");
    const active = await activateVersion(handle.db, { projectId: p, kind: "routing", version: 1, activatedBy: "c@x.dev" });
    expect(active).toMatchObject({ kind: "routing", version: 1, activatedBy: "c@x.dev" });
    const live = await getActivePolicies(handle.db, p);
    expect(live.routingVersion).toBe(1);
    expect(live.routing.rules[0]!.action.model).toBe("m-one");
    // Rolling back copies nothing: the next save is still version 3.
    expect((await saveVersion(handle.db, { projectId: p, kind: "routing", document: {} })).version).toBe(3);
  });

  it("refuses to activate a version that does not exist in this project", async () => {
    const err = await activateVersion(handle.db, { projectId: otherProjectId, kind: "routing", version: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.status).toBe(404);
  });

  it("gives concurrent saves distinct numbers", async () => {
    const p = (await createProject(handle.db, { slug: "pq-concurrent" })).id;
    const saved = await Promise.all(Array.from({ length: 8 }, (_, i) => saveVersion(handle.db, { projectId: p, kind: "routing", document: routing(`m-${i}`) })));
    expect(saved.map((s) => s.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const active = (await getActiveVersions(handle.db, p))[0]!;
    // The pointer names one of them (whichever committed last).
    expect(active.version).toBeGreaterThanOrEqual(1);
    expect(active.version).toBeLessThanOrEqual(8);
  });
});
