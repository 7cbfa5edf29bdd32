import type { IncomingMessage, ServerResponse } from "node:http";
import type { DbHandle } from "@/db/client";
import { registerHealth } from "../health";
import type { HotRouter } from "../http/hot-router";
import type { RollupFolder } from "../metrics/start-metrics";
import { createRecorder } from "../recording/recorder";
import { WorkerEventWriter } from "../recording/worker-event-writer";
import { getResponseCache } from "../response-cache/create-response-cache";
import { GatewayError, sendGatewayError } from "./anthropic-error";
import { gatewayLimitsFromEnv } from "./admission";
import { createGateway, GATEWAY_PREFIX, type Gateway, type RunMessages } from "./gateway";
import { resolveUpstream } from "./upstream";
import { gatewayUpstreamKind } from "./upstream-kind";

export { gatewayUpstreamKind };

type Env = Readonly<Record<string, string | undefined>>;
export type MountedGateway = {
  runMessages: RunMessages;
  endCalls: () => Promise<void>;
  close: (hurry?: AbortSignal) => Promise<void>;
  /** Writes the recorder's buffered events now (Run x N closes its run on the stored calls). */
  flushRecording: () => Promise<void>;
  /** Set when the recorder's worker thread also runs the rollup flusher (for startMetrics). */
  rollupFolder?: RollupFolder;
};

/** The in-process simulator on this very server, reached the way the request reached us. */
function localSimulatorUrl(req: IncomingMessage): string {
  let host = req.socket.localAddress ?? "127.0.0.1";
  if (host.startsWith("::ffff:")) host = host.slice(7);
  if (host.includes(":")) host = `[${host}]`;
  return `http://${host}:${req.socket.localPort}/_sim`;
}

/**
 * Mounts /gateway/ on the hot router with the process's recorder (PITWALL_RECORDING=0 turns it
 * off) and response cache. With neither ANTHROPIC_API_KEY nor PITWALL_UPSTREAM_URL the upstream is
 * the simulator mounted on this server at /_sim, whose address is known from the first request;
 * otherwise the upstream is resolved now, so a bad setting stops start-up with a clear message.
 * Returns `endCalls` (ends the calls in flight: streams get an error event), `close` (that, then
 * flushes the recorder; when `hurry` aborts it spools instead of waiting on the database), and
 * `runMessages`, the in-process seam the playground calls through (same gateway, same recorder).
 */
export function mountGateway(router: HotRouter, handle: DbHandle, env: Env = process.env): MountedGateway {
  const recorder = env.PITWALL_RECORDING === "0" ? null : createRecorder(() => handle.db, {
          kind: handle.kind,
          url: handle.url,
          spoolFirst: env.PITWALL_RECORDING_SPOOL_FIRST === "1",
          rollupFlusher: env.PITWALL_ROLLUP_FLUSHER !== "0",
        });
  const responseCache = getResponseCache(handle.db);
  const kind = gatewayUpstreamKind(env);
  // Read now: a bad limit stops start-up with a clear message, not the first call.
  const limits = gatewayLimitsFromEnv(env);
  const make = (localUrl?: string): Gateway =>
    createGateway({ getDb: () => handle.db, upstream: resolveUpstream(env, { localSimulatorUrl: localUrl }), recorder, responseCache, limits });
  let gateway: Gateway | undefined = kind === "simulator" ? undefined : make();
  const simulatorMounted = env.PITWALL_SIMULATOR !== "0";

  const ready = (req: IncomingMessage, res: ServerResponse): Gateway | undefined => {
    if (!gateway) {
      if (!simulatorMounted) {
        req.resume();
        const err = new GatewayError(503, "api_error", "No upstream is configured: set ANTHROPIC_API_KEY or PITWALL_UPSTREAM_URL, or enable the simulator.");
        sendGatewayError(res, err, "gw_unconfigured");
        return undefined;
      }
      gateway = make(localSimulatorUrl(req));
    }
    return gateway;
  };
  router.prefix(GATEWAY_PREFIX, (req, res) => ready(req, res)?.handler(req, res));
  const runMessages: RunMessages = async (req, res, preset) => ready(req, res)?.runMessages(req, res, preset);
  registerHealth("gateway", () => ({ upstream: kind, active: gateway?.active ?? 0, bufferedBytes: gateway?.bufferedBytes ?? 0, recording: recorder !== null }));

  return {
    rollupFolder: recorder instanceof WorkerEventWriter ? recorder.rollupFolder() : undefined,
    runMessages,
    flushRecording: async () => {
      await recorder?.flush();
    },
    endCalls: async () => {
      await gateway?.close();
    },
    close: async (hurry) => {
      await gateway?.close();
      await recorder?.close({ hurry });
    },
  };
}
