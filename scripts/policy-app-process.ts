/**
 * A Pitwall app process without Next, for the live-rollout test and bench: the custom server's
 * hot router (gateway, in-process simulator, the policy LISTEN connection) plus the policies PUT
 * and POST routes through the same handlers the Next route files call. Prints {"url"} when ready.
 *
 *   DATABASE_URL=postgres://… node --import tsx scripts/policy-app-process.ts
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { getDbHandle } from "../db/client";
import { bootstrap } from "../lib/bootstrap";
import { buildHotRouter } from "../lib/server/hot-routes";
import { webHandler } from "../lib/http/web-handler";
import { postPolicy, putPolicy, type KindContext } from "../lib/policies/http/policies-handlers";

async function main(): Promise<void> {
  const handle = getDbHandle();
  await bootstrap(handle);
  const hot = await buildHotRouter(handle);
  const save = { PUT: webHandler<KindContext>((r, c) => putPolicy(handle.db, r, c)), POST: webHandler<KindContext>((r, c) => postPolicy(handle.db, r, c)) };
  const server = http.createServer((req, res) => {
    const hotHandler = hot.match(req.url);
    if (hotHandler) return void hotHandler(req, res);
    const m = /^\/api\/v1\/policies\/(routing|cache)(\?|$)/.exec(req.url ?? "");
    const handler = m ? save[req.method as keyof typeof save] : undefined;
    if (!m || !handler) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) });
      void handler(request, { params: Promise.resolve({ kind: m[1]! }) }).then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      });
    });
  });
  server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
  });
  process.once("SIGTERM", () => {
    server.close();
    void hot.close().then(() => handle.close().catch(() => {})).then(() => process.exit(0));
  });
}

main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
