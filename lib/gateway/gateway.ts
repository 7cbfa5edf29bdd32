import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { Dispatcher } from "undici";
import type { Db } from "@/db/client";
import type { HotHandler } from "../http/hot-router";
import { discardUpload } from "../http/read-body";
import { GATEWAY_EVENT_ID_PREFIX } from "../ingestion/limits";
import { getActivePolicies, type ActivePolicies } from "../policies/active-policies";
import type { ResponseCache } from "../response-cache/response-cache";
import { Admission, DEFAULT_GATEWAY_LIMITS, type GatewayLimits, type Lease } from "./admission";
import { GatewayError, sendGatewayError, toGatewayError } from "./anthropic-error";
import { CallAborted, endedByShutdown, SHUTDOWN_MESSAGE, type CallRecorder, type GatewayDeps, type PresetCall } from "./call-context";
import { serveCountTokens } from "./count-tokens-call";
import { serveMessages } from "./messages-call";
import { createUpstreamPool, type UpstreamConfig } from "./upstream";

export type GatewayOptions = {
  getDb: () => Db;
  upstream: UpstreamConfig;
  /** Defaults to a keep-alive pool to upstream.origin (closed by `close`). */
  pool?: Dispatcher;
  loadPolicies?: (db: Db, projectId: string) => Promise<ActivePolicies>;
  /** null or absent: no response cache. */
  responseCache?: ResponseCache | null;
  /** null or absent: calls are not recorded. */
  recorder?: CallRecorder | null;
  /** The Messages API takes 32 MB. */
  maxBodyBytes?: number;
  /** Calls and body bytes in flight (DEFAULT_GATEWAY_LIMITS when absent). */
  limits?: GatewayLimits;
};

/** Runs one Messages call for an already-authenticated project and answers on `res` (SSE when the body streams). */
export type RunMessages = (req: IncomingMessage, res: ServerResponse, preset: PresetCall) => Promise<void>;

export type Gateway = {
  handler: HotHandler;
  /**
   * The in-process seam (the playground): the same code path as `handler` for POST
   * /v1/messages, with the project, body and hint headers given instead of read from `req`.
   * The call ends (and is recorded as aborted) when `res` closes early.
   */
  runMessages: RunMessages;
  /** Calls in progress. */
  readonly active: number;
  /** Request body bytes the calls in progress hold. */
  readonly bufferedBytes: number;
  /**
   * Ends the calls in progress (a stream gets an error event, a call not yet answered a 503; each
   * recorded as a gateway_shutdown error), refuses new ones, then closes the upstream pool.
   * Idempotent.
   */
  close(): Promise<void>;
};

export const GATEWAY_PREFIX = "/gateway/";
const shuttingDown = () => new GatewayError(503, "api_error", SHUTDOWN_MESSAGE, { retryAfterSec: 1 });
const MESSAGES = "/gateway/v1/messages";
const COUNT_TOKENS = "/gateway/v1/messages/count_tokens";

/**
 * The gateway: Anthropic's Messages API under /gateway/v1/, for the official SDK with
 * `baseURL: http://<host>:<port>/gateway` and a Pitwall project key. Errors always come back in
 * Anthropic's shape so the SDK raises its usual classes.
 */
export function createGateway(opts: GatewayOptions): Gateway {
  const ownsPool = !opts.pool;
  const deps: GatewayDeps = {
    getDb: opts.getDb,
    upstream: opts.upstream,
    pool: opts.pool ?? createUpstreamPool(opts.upstream),
    loadPolicies: opts.loadPolicies ?? getActivePolicies,
    responseCache: opts.responseCache ?? null,
    recorder: opts.recorder ?? null,
    maxBodyBytes: opts.maxBodyBytes ?? 32 * 1024 * 1024,
    now: () => performance.now(),
  };
  const admission = new Admission(opts.limits ?? DEFAULT_GATEWAY_LIMITS);
  const active = new Set<AbortController>();
  let closing: Promise<void> | undefined;

  const serve = async (req: IncomingMessage, res: ServerResponse, preset?: PresetCall): Promise<void> => {
    if (closing) {
      // A request on a socket that was already open when the shutdown ended the calls in flight.
      discardUpload(req, res);
      return sendGatewayError(res, shuttingDown(), "gw_shutdown", { connection: "close" });
    }
    const t0 = deps.now();
    const id = `${GATEWAY_EVENT_ID_PREFIX}${randomUUID().replaceAll("-", "")}`;
    const controller = new AbortController();
    active.add(controller);
    // A client that hangs up aborts the upstream request at once (undici closes that socket).
    res.once("close", () => {
      if (!res.writableFinished) controller.abort(new CallAborted("client"));
    });
    let lease: Lease | undefined;
    try {
      lease = admission.enter();
      const call = { req, res, id, signal: controller.signal, t0, lease, preset };
      const q = req.url?.indexOf("?") ?? -1;
      const path = (q === -1 ? (req.url ?? "") : req.url!.slice(0, q)).replace(/\/+$/, "");
      if (preset || path === MESSAGES) await serveMessages(deps, call);
      else if (path === COUNT_TOKENS) await serveCountTokens(deps, call);
      else throw new GatewayError(404, "not_found_error", `Not found: ${path.slice(0, 100)}. The gateway serves ${MESSAGES} and ${COUNT_TOKENS}.`);
    } catch (err) {
      const shutdown = endedByShutdown(controller.signal);
      if (!controller.signal.aborted || shutdown) {
        // An answer before the upload was read: close rather than reuse a socket with bytes left on it.
        const extra: Record<string, string> = { "x-pitwall-request-id": id };
        if (!req.complete || shutdown) {
          extra.connection = "close";
          discardUpload(req, res);
        }
        sendGatewayError(res, shutdown ? shuttingDown() : toGatewayError(err), id, extra);
      }
    } finally {
      lease?.release();
      active.delete(controller);
      // The client is gone, or a shutdown caught the answer where it could not be ended cleanly:
      // nothing more can be said on this socket. (A stream ended by a shutdown got its error event.)
      if (controller.signal.aborted && !res.destroyed && !(endedByShutdown(controller.signal) && res.writableEnded)) res.destroy();
    }
  };

  const handler: HotHandler = (req, res) => serve(req, res);

  return {
    handler,
    runMessages: (req, res, preset) => serve(req, res, preset),
    get active() {
      return active.size;
    },
    get bufferedBytes() {
      return admission.bufferedBytes;
    },
    close() {
      closing ??= (async () => {
        for (const c of active) c.abort(new CallAborted("shutdown"));
        const deadline = Date.now() + 2_000;
        while (active.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        // Records are queued a turn later; let them reach the recorder before it is closed.
        await new Promise((r) => setImmediate(r));
        if (ownsPool) await deps.pool.close().catch(() => {});
      })();
      return closing;
    },
  };
}
