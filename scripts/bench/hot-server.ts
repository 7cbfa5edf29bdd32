/**
 * The custom server's hot paths without Next, for benchmarks and the shutdown test: the same node
 * handlers and the same graceful shutdown as server.ts. Prints `listening <port>` once ready.
 * `--bootstrap` first runs the start-up work (migrations, PITWALL_INIT_PROJECT /
 * PITWALL_INIT_API_KEY), for tests that measure this process.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { getDbHandle } from "../../db/client";
import { bootstrap } from "../../lib/bootstrap";
import { buildHotRouter } from "../../lib/server/hot-routes";
import { exitOnStopSignals, GracefulShutdown } from "../../lib/lifecycle/graceful-shutdown";
import { ServerDrain } from "../../lib/lifecycle/server-drain";
import { shutdownSettingsFromEnv } from "../../lib/lifecycle/shutdown-settings";

const settings = shutdownSettingsFromEnv();
const handle = getDbHandle();
if (process.argv.includes("--bootstrap")) await bootstrap(handle);
const hot = await buildHotRouter(handle);
const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const handler = hot.match(req.url);
  if (handler) void handler(req, res);
  else {
    res.writeHead(404).end();
  }
});
const drain = new ServerDrain(server);
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
exitOnStopSignals(
  new GracefulShutdown(
    {
      drain,
      endCalls: () => hot.endCalls(),
      close: async (hurry) => {
        await hot.close(hurry);
        await handle.close().catch(() => {});
      },
    },
    settings,
  ),
);
