import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { projectWithKey } from "../../auth/testing/project-with-key";
import { startHarness, type Harness, type HarnessOptions } from "./gateway-harness";
import { startedForFile } from "./started-for-file";

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

/** A gateway world for this file's tests (see startedForFile). */
export function gatewayWorldForFile(opts: HarnessOptions = {}): Readonly<Omit<GatewayWorld, "close">> {
  return startedForFile(() => startGatewayWorld(opts));
}
