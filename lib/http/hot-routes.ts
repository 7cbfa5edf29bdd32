import type { DbHandle } from "@/db/client";
import { checkHealth } from "../health";
import { createIngestHandler } from "../ingestion/http-handler";
import { sendJson } from "./respond";
import { HotRouter } from "./hot-router";

/**
 * The hot-path route table of the custom server. Each area mounts its node handler here; the
 * returned `close` flushes whatever the areas buffer (e.g. the gateway's event writer).
 */
export async function buildHotRouter(handle: DbHandle): Promise<HotRouter & { close: () => Promise<void> }> {
  const router = new HotRouter();
  const closers: (() => Promise<void>)[] = [];
  router.route("/api/v1/events", createIngestHandler(() => handle.db));
  router.route("/api/health", async (_req, res) => {
    const { status, body } = await checkHealth(handle);
    sendJson(res, status, body);
  });
  return Object.assign(router, {
    close: async () => {
      for (const close of closers) await close();
    },
  });
}
