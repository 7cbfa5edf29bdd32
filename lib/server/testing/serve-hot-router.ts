import type { DbHandle } from "@/db/client";
import { serveHandler } from "../../http/testing/serve-handler";
import { buildHotRouter } from "../hot-routes";

export type HotRouterOptions = {
  /** The in-process simulator's share of real time (0: answers at once). */
  latencyScale: number;
  /** The gateway's spool directory for this test file. */
  spoolDir: string;
};

/**
 * Test-only: the server's hot router on a random loopback port, its gateway in front of the
 * in-process simulator (no Anthropic key or upstream URL taken from the environment).
 * close() stops it and restores the environment.
 */
export async function serveHotRouter(handle: DbHandle, opts: HotRouterOptions): Promise<{ url: string; close: () => Promise<void> }> {
  const saved = { ...process.env };
  delete process.env.ANTHROPIC_API_KEY;
  delete process.env.PITWALL_UPSTREAM_URL;
  process.env.PITWALL_SIMULATOR_LATENCY_SCALE = String(opts.latencyScale);
  process.env.PITWALL_SPOOL_DIR = opts.spoolDir;
  let router: Awaited<ReturnType<typeof buildHotRouter>> | undefined;
  try {
    router = await buildHotRouter(handle);
    const routes = router;
    const server = await serveHandler((req, res) => {
      const h = routes.match(req.url);
      if (h) return h(req, res);
      res.writeHead(404).end();
    });
    return {
      url: server.url,
      close: async () => {
        await server.close();
        await routes.close();
        process.env = saved;
      },
    };
  } catch (err) {
    await router?.close();
    process.env = saved;
    throw err;
  }
}
