import { afterAll, beforeAll } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { projectWithKey } from "../../auth/testing/project-with-key";
import { startHarness, type Harness, type HarnessOptions } from "./gateway-harness";

export type GatewayWorld = { handle: DbHandle; projectId: string; key: string; h: Harness; close: () => Promise<void> };

/** Test-only: a fresh database with one project and its key, and a harness gateway recording into it. */
async function startGatewayWorld(opts: HarnessOptions = {}): Promise<GatewayWorld> {
  const handle = await createTestDb();
  try {
    const { project, key } = await projectWithKey(handle.db);
    const h = await startHarness(handle, key, opts);
    return {
      handle,
      projectId: project.id,
      key,
      h,
      close: async () => {
        await h.close();
        await handle.close();
      },
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * Starts a gateway world before this file's tests and closes it after them. The returned object
 * is filled in by the beforeAll hook: read its fields inside tests, not at file level.
 */
export function gatewayWorldForFile(opts: HarnessOptions = {}): Readonly<Omit<GatewayWorld, "close">> {
  const world = {} as GatewayWorld;
  let started: GatewayWorld | undefined;
  beforeAll(async () => {
    started = await startGatewayWorld(opts);
    Object.assign(world, started);
  });
  afterAll(async () => {
    await started?.close();
  });
  return world;
}
