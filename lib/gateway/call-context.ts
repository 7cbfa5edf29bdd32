import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Dispatcher } from "undici";
import type { Db } from "@/db/client";
import type { Lease } from "./admission";
import type { ActivePolicies } from "../policies/active-policies";
import type { ResponseCache } from "../response-cache/response-cache";
import type { GatewayHints } from "./gateway-headers";
import type { UpstreamConfig } from "./upstream";

/** Where calls are recorded (the EventWriter in production; null turns recording off). */
export type CallRecorder = { record(projectId: string, event: Record<string, unknown>): void };

/** What every call shares: set up once per gateway. */
export type GatewayDeps = {
  getDb: () => Db;
  upstream: UpstreamConfig;
  pool: Dispatcher;
  loadPolicies: (db: Db, projectId: string) => Promise<ActivePolicies>;
  responseCache: ResponseCache | null;
  recorder: CallRecorder | null;
  maxBodyBytes: number;
  /** Monotonic milliseconds (performance.now). */
  now: () => number;
};

/** One call in flight. */
export type CallContext = {
  req: IncomingMessage;
  res: ServerResponse;
  /** x-pitwall-request-id, also the recorded event's id. */
  id: string;
  /** Aborted when the client hangs up or the gateway shuts down. */
  signal: AbortSignal;
  /** now() when the request arrived. */
  t0: number;
  /** The call's share of the gateway's limits (its key's cap, its body bytes). */
  lease: Lease;
  /** Set for a call made in-process for a caller authenticated another way (the playground). */
  preset?: PresetCall;
};

/**
 * A Messages call made in-process on behalf of a project whose caller was authenticated another
 * way (an operator's session in the playground): no project key, and the body comes from the
 * caller rather than the request. Everything else (routing, both caches, the recorder, the
 * stream relay) is the agents' path.
 */
export type PresetCall = {
  projectId: string;
  /** The Messages API request body. */
  body: Buffer;
  /** Stand-ins for the request's own headers: x-pitwall-* hints, Cache-Control, anthropic-*. */
  headers: IncomingHttpHeaders;
  /** Overrides what the recorded event says (route, agent, tags); routing still sees `headers`. */
  recordHints?: Partial<GatewayHints>;
};

/** What a call ended by a shutdown is told (an SSE error event, or a 503 before the answer started). */
export const SHUTDOWN_MESSAGE = "The gateway is restarting and ended this call; retry it.";

/** The abort reason of a call whose client left, or that the gateway ended on shutdown. */
export class CallAborted extends Error {
  constructor(readonly by: "client" | "shutdown") {
    super(by === "client" ? "The client closed the connection." : SHUTDOWN_MESSAGE);
  }
}

export function endedByShutdown(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof CallAborted && signal.reason.by === "shutdown";
}
