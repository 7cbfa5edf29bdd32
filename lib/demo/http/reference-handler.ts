import type { IncomingMessage } from "node:http";
import { z } from "zod";
import type { Db } from "@/db/client";
import { authenticate } from "../../auth/caller";
import { AppError } from "../../errors";
import type { HotHandler } from "../../http/hot-router";
import { parseJsonBody, readBody } from "../../http/read-body";
import { sendError, sendJson } from "../../http/respond";
import { WORKLOAD_VARIANTS } from "../reference/manifest";
import type { ReferenceRuns } from "../reference/reference-runs";

export const REFERENCE_RUN_PATH = "/api/v1/demo/reference";
/** The settings page's run: enough for every route to pass the advisor's 30-request floor. */
export const MAX_REFERENCE_REQUESTS = 5_000;

const StartBody = z
  .object({
    variant: z.enum(WORKLOAD_VARIANTS).default("reference"),
    requests: z.number().int().min(30).max(MAX_REFERENCE_REQUESTS).default(600),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  })
  .strict();

export type ReferenceHandlerDeps = {
  getDb: () => Db;
  runs: ReferenceRuns;
  /** Whether the gateway's upstream is the simulator: the workload never runs against the real API. */
  upstreamIsSimulator: boolean;
  /** The in-process simulator's latency scale (0 = instant; the workload then runs tools in real time). */
  simulatorLatencyScale: number;
};

/**
 * GET (viewer): the project's latest reference run; POST {variant?, requests?, seed?} (admin):
 * start one through this server's own gateway; DELETE (admin): cancel it. `?project=<slug>`.
 */
export function createReferenceRunHandler(deps: ReferenceHandlerDeps): HotHandler {
  return async (req, res) => {
    try {
      const db = deps.getDb();
      const url = new URL(req.url ?? "/", "http://localhost");
      const projectSlug = url.searchParams.get("project");
      if (req.method === "GET") {
        const caller = await authenticate(db, req, { role: "viewer", projectSlug });
        return sendJson(res, 200, { run: deps.runs.status(caller.projectId), upstreamIsSimulator: deps.upstreamIsSimulator });
      }
      if (req.method !== "POST" && req.method !== "DELETE") throw new AppError("bad_request:method", "Use GET, POST or DELETE.");
      const caller = await authenticate(db, req, { role: "admin", projectSlug });
      if (caller.kind !== "user") throw new AppError("forbidden:api_key", "The reference workload is started by a signed-in admin, not an API key.");
      if (req.method === "DELETE") return sendJson(res, 200, { run: deps.runs.cancel(caller.projectId) });
      if (!deps.upstreamIsSimulator) {
        throw new AppError("conflict:upstream", "The reference workload runs only against the simulated upstream; this gateway calls a real provider.");
      }
      const parsed = StartBody.safeParse(parseJsonBody(req, await readBody(req, 4 * 1024)) ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new AppError("bad_request:body", `${issue.path.join(".") || "body"}: ${issue.message}`);
      }
      const run = await deps.runs.start({
        db,
        projectId: caller.projectId,
        baseUrl: ownBaseUrl(req),
        ...parsed.data,
        latencyScale: deps.simulatorLatencyScale > 0 ? deps.simulatorLatencyScale : 1,
        createdBy: caller.email,
      });
      return sendJson(res, 202, { run });
    } catch (err) {
      sendError(res, err, { route: "demo-reference" }, req);
    }
  };
}

/** This server as its own client: the address the request came in on, loopback for a wildcard bind. */
function ownBaseUrl(req: IncomingMessage): string {
  const address = req.socket.localAddress ?? "127.0.0.1";
  const port = req.socket.localPort;
  const loopback = address === "::1" || address === "::ffff:127.0.0.1" || address.startsWith("127.") || address === "::" || address === "0.0.0.0";
  const host = loopback ? "127.0.0.1" : address.startsWith("::ffff:") ? address.slice(7) : address.includes(":") ? `[${address}]` : address;
  return `http://${host}:${port}`;
}
