import type { DbHandle } from "@/db/client";
import { mountGateway } from "../gateway/mount-gateway";
import { gatewayUpstreamKind } from "../gateway/upstream-kind";
import { createReferenceRunHandler, REFERENCE_RUN_PATH } from "../demo/http/reference-handler";
import { ReferenceRuns } from "../demo/reference/reference-runs";
import { createHealthHandler } from "../health-handler";
import { createIngestHandler } from "../ingestion/http-handler";
import { startMetrics } from "../metrics/start-metrics";
import { startPolicyListener } from "../policies/policy-listener";
import { createOtlpTracesHandler } from "../otel/http/traces-handler";
import { createPlaygroundRepeatHandler, PLAYGROUND_REPEAT_PATH } from "../playground/http/repeat-handler";
import { createPlaygroundStreamHandler, PLAYGROUND_STREAM_PATH } from "../playground/http/stream-handler";
import { createSimulator } from "../simulator/handler";
import { localCallersOnly } from "../simulator/local-callers-only";
import { simulatorOptionsFromEnv } from "../simulator/options";
import { HotRouter } from "../http/hot-router";

export function simulatorMounted(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.PITWALL_SIMULATOR === "0") return false;
  return env.PITWALL_SIMULATOR === "1" || gatewayUpstreamKind(env) === "simulator";
}

export type HotRoutes = HotRouter & {
  /** Shutdown, at the end of the grace period: ends the gateway's calls still in flight. */
  endCalls: () => Promise<void>;
  /** Flushes whatever the areas buffer (the gateway's event writer first); see ShutdownHooks.close. */
  close: (hurry?: AbortSignal) => Promise<void>;
};

/**
 * The hot-path route table of the custom server. Each area mounts its node handler here; the
 * returned `close` flushes whatever the areas buffer (e.g. the gateway's event writer).
 */
export async function buildHotRouter(handle: DbHandle): Promise<HotRoutes> {
  const router = new HotRouter();
  const closers: ((hurry?: AbortSignal) => Promise<void>)[] = [];
  router.route("/api/v1/events", createIngestHandler(() => handle.db));
  // OTLP/HTTP traces (OTEL_EXPORTER_OTLP_ENDPOINT=<base>/api/otel): GenAI spans become events.
  router.route("/api/otel/v1/traces", createOtlpTracesHandler(() => handle.db));
  // Rollup flusher and rollup retention (metrics); its stop folds what is still queued. Started
  // once the gateway is mounted: on Postgres the flusher runs on the recorder's worker thread.
  let stopMetrics: () => Promise<void> = async () => {};
  closers.push(() => stopMetrics());
  // Public liveness; the details need a session or a metrics:read key.
  router.route("/api/health", createHealthHandler(handle));
  // The simulated Anthropic upstream: the default upstream without ANTHROPIC_API_KEY, the demo's
  // and the playground's model. It takes any key, so it is mounted only while it is the gateway's
  // upstream (or PITWALL_SIMULATOR=1 asks for it), and for callers on this machine only;
  // PITWALL_SIMULATOR=0 unmounts it.
  const simulatorOptions = simulatorOptionsFromEnv();
  if (simulatorMounted(process.env)) {
    const simulator = createSimulator(simulatorOptions);
    router.prefix("/_sim/", localCallersOnly(simulator));
    closers.push(async () => simulator.close());
  }
  // Live policy rollout: NOTIFY from any process invalidates this one's cached policies.
  closers.push(startPolicyListener(handle));
  // The gateway (/gateway/v1/messages, count_tokens). Its closer goes first: it ends calls in
  // flight and flushes the event writer while metrics and the simulator are still up.
  const gateway = mountGateway(router, handle);
  closers.unshift(gateway.close);
  stopMetrics = startMetrics(handle, process.env, gateway.rollupFolder);
  // The playground: an operator's session runs a pane's call through that same gateway.
  router.route(PLAYGROUND_STREAM_PATH, createPlaygroundStreamHandler(() => handle.db, gateway.runMessages));
  router.route(PLAYGROUND_REPEAT_PATH, createPlaygroundRepeatHandler(() => handle.db, gateway.runMessages, gateway.flushRecording));
  // The advisor's reference workload, started from the settings page through this same gateway.
  // Its runs stop first on shutdown, while the gateway still answers their last calls.
  const referenceRuns = new ReferenceRuns();
  router.route(
    REFERENCE_RUN_PATH,
    createReferenceRunHandler({
      getDb: () => handle.db,
      runs: referenceRuns,
      upstreamIsSimulator: gatewayUpstreamKind(process.env) === "simulator" && simulatorMounted(process.env),
      simulatorLatencyScale: simulatorOptions.fixedLatencyMs !== undefined ? 0 : (simulatorOptions.latencyScale ?? 1),
    }),
  );
  closers.unshift(() => referenceRuns.close());
  return Object.assign(router, {
    endCalls: gateway.endCalls,
    close: async (hurry?: AbortSignal) => {
      for (const close of closers) await close(hurry);
    },
  });
}
