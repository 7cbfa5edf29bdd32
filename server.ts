/**
 * Pitwall's process: one node:http server. Hot paths (event ingestion, health, the gateway
 * and OTLP) are plain node handlers calling lib/; every other request goes to Next.
 * Measured on this machine kind: Next route handlers top out near 1.1k req/s, node:http near 45k.
 */
import http from "node:http";
import next from "next";
import { getDbHandle } from "./db/client";
import { bootstrap } from "./lib/bootstrap";
import { buildHotRouter } from "./lib/server/hot-routes";
import { createHostGuard } from "./lib/http/host-allow-list";
import { onRetention, scheduleRetention } from "./lib/events/retention";
import { deleteSegmentsBefore } from "./lib/advisor/traffic-segments";
import { setAnalysisHelper } from "./lib/advisor/helper/analysis-helper";
import { startAnalysisHelper } from "./lib/advisor/helper/helper-start";
import { startSegmentKeeper } from "./lib/advisor/segment-keeper-start";
import { retentionDays } from "./lib/ingestion/ingest-batch";
import { log } from "./lib/log";
import { CLIENT_IP_HEADER, socketClientIp } from "./lib/auth/request-origin";
import { startDemoTrafficFromEnv } from "./lib/demo/start-demo-from-env";
import type { DemoTraffic } from "./lib/demo/demo-traffic";
import { exitOnStopSignals, GracefulShutdown } from "./lib/lifecycle/graceful-shutdown";
import { ServerDrain } from "./lib/lifecycle/server-drain";
import { shutdownSettingsFromEnv } from "./lib/lifecycle/shutdown-settings";

const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? "0.0.0.0";

async function main(): Promise<void> {
  const shutdownSettings = shutdownSettingsFromEnv();
  const handle = getDbHandle();
  await bootstrap(handle, process.env, { announceSetup: true });

  const app = next({ dev, dir: process.cwd(), hostname, port });
  const nextHandler = app.getRequestHandler();
  await app.prepare();

  const hot = await buildHotRouter(handle);
  onRetention("advisorSegments", deleteSegmentsBefore);
  scheduleRetention(handle.db, retentionDays());
  // The advisor's stored days, so a cold analysis reads segments, not the events table (lib/advisor/segment-keeper.ts).
  const keeper = startSegmentKeeper(handle);
  // The advisor's second thread: a large analysis runs half its work there (lib/advisor/helper).
  const helper = startAnalysisHelper();
  setAnalysisHelper(helper);
  const hostAllowed = createHostGuard();
  const server = http.createServer({ keepAliveTimeout: 65_000, maxHeaderSize: 32 * 1024 }, (req, res) => {
    if (!hostAllowed(req, res)) return; // Host allow-list (DNS rebinding): answered 403 already
    const handler = hot.match(req.url);
    if (handler) {
      void handler(req, res);
      return;
    }
    // The login limiter keys on this; a client-sent value is overwritten, never trusted.
    req.headers[CLIENT_IP_HEADER] = socketClientIp(req.socket.remoteAddress, req.headers["x-forwarded-for"]);
    void nextHandler(req, res);
  });

  const drain = new ServerDrain(server);

  let demo: DemoTraffic | undefined;
  server.listen(port, hostname, () => {
    log.info({ port, db: handle.kind, dev }, `Pitwall listening on http://localhost:${port}`);
    // Simulated agents calling this server's gateway (PITWALL_DEMO_TRAFFIC=1, the quickstart default).
    const bound = (server.address() as { port: number }).port;
    void startDemoTrafficFromEnv(handle.db, bound, process.env, { host: hostname }).then((d) => (demo = d));
  });

  // SIGTERM / SIGINT: drain for PITWALL_SHUTDOWN_GRACE_MS, end what is left, flush (lib/lifecycle).
  const shutdown = new GracefulShutdown(
    {
      drain,
      stopClients: () => void demo?.stop(),
      endCalls: () => hot.endCalls(),
      close: async (hurry) => {
        await demo?.stop();
        await keeper?.close();
        setAnalysisHelper(null);
        await helper?.close();
        await hot.close(hurry);
        await handle.close().catch(() => {});
      },
    },
    shutdownSettings,
  );
  exitOnStopSignals(shutdown);
}

main().catch((err) => {
  log.fatal({ err }, "Pitwall failed to start");
  process.exit(1);
});
