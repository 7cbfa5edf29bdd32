import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { projectWithKey } from "../../../auth/testing/project-with-key";
import { startHarness, type Harness } from "../../../gateway/testing/gateway-harness";
import { startedForFile } from "../../../gateway/testing/started-for-file";
import { serveHandler } from "../../../http/testing/serve-handler";
import { createIngestHandler } from "../../../ingestion/http-handler";

export type ReferenceWorld = {
  handle: DbHandle;
  /** The gateway in front of the simulator, recording into `handle`. */
  h: Harness;
  /** The ingestion endpoint the workload's SDK sends its tool spans to. */
  ingest: { url: string; close: () => Promise<void> };
  close: () => Promise<void>;
};

/**
 * Test-only: a fresh database, a gateway in front of a simulator at `latencyScale` of real time,
 * and the ingestion endpoint, all in this process: where the reference workload is run in tests.
 */
async function startReferenceWorld(latencyScale: number): Promise<ReferenceWorld> {
  const handle = await createTestDb();
  let h: Harness | undefined;
  try {
    const { key } = await projectWithKey(handle.db);
    h = await startHarness(handle, key, { sim: { latencyScale } });
    const ingest = await serveHandler(createIngestHandler(() => handle.db));
    const harness = h;
    return {
      handle,
      h: harness,
      ingest,
      close: async () => {
        await ingest.close();
        await harness.close();
        await handle.close();
      },
    };
  } catch (err) {
    await h?.close();
    await handle.close();
    throw err;
  }
}

/** A reference world for this file's tests (see startedForFile). */
export function referenceWorldForFile(latencyScale: number): Readonly<Omit<ReferenceWorld, "close">> {
  return startedForFile(() => startReferenceWorld(latencyScale));
}
