/**
 * The custom server's hot paths without Next, for benchmarks: the same node handlers server.ts
 * mounts. Prints `listening <port>` once ready. `--bootstrap` first runs the start-up work
 * (migrations, PITWALL_INIT_PROJECT / PITWALL_INIT_API_KEY), for tests that measure this process.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { getDbHandle } from "../../db/client";
import { bootstrap } from "../../lib/bootstrap";
import { buildHotRouter } from "../../lib/http/hot-routes";

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
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
process.on("SIGTERM", async () => {
  // The benchmark may drop the database first; never let a flush against it hold the exit.
  setTimeout(() => process.exit(0), 3000).unref();
  server.close();
  await hot.close();
  await handle.close();
  process.exit(0);
});
