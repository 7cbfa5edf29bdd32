import { performance } from "node:perf_hooks";
import { z } from "zod";
import type { Db } from "@/db/client";
import type { RunMessages } from "../../gateway/gateway";
import { AppError } from "../../errors";
import type { HotHandler } from "../../http/hot-router";
import { parseJsonBody, readBody } from "../../http/read-body";
import { sendError } from "../../http/respond";
import { buildPaneCall } from "../build-request";
import { getRun } from "../experiments";
import { tapPaneResponse } from "./pane-response-tap";
import { playgroundOperator } from "./playground-caller";

export const PLAYGROUND_STREAM_PATH = "/api/v1/playground/stream";

const StreamBody = z.object({
  experimentId: z.string().min(1).max(64),
  runId: z.string().min(1).max(64),
  pane: z.string().min(1).max(64),
});

/**
 * POST /api/v1/playground/stream?project=<slug> {experimentId, runId, pane}: one pane's call of
 * a run, answered as the gateway's own SSE stream (one stream per pane). The operator's session
 * authenticates it (editor or admin; CSRF-checked); the call then runs through the gateway seam
 * with the run's stored configuration, so no project key ever reaches the browser. Closing the
 * stream cancels the upstream call, which is recorded as aborted. The answer is tapped
 * (pane-response-tap.ts) to carry the gateway's TTFT and the recorded response-cache status.
 */
export function createPlaygroundStreamHandler(getDb: () => Db, runMessages: RunMessages): HotHandler {
  return async (req, res) => {
    try {
      const db = getDb();
      const caller = await playgroundOperator(db, req);
      const parsed = StreamBody.safeParse(parseJsonBody(req, await readBody(req, 16 * 1024)));
      if (!parsed.success) throw new AppError("bad_request:body", "Send {experimentId, runId, pane}.");
      const run = await getRun(db, caller.projectId, parsed.data.experimentId, parsed.data.runId);
      const pane = run.config.panes.find((p) => p.name === parsed.data.pane);
      if (!pane) throw new AppError("not_found:pane", `This run has no pane named "${parsed.data.pane.slice(0, 64)}".`);
      const call = buildPaneCall(run.config, pane, { experimentId: run.experimentId, runId: run.id }, { repeat: run.n > 1 });
      tapPaneResponse(res, { t0: performance.now(), now: () => performance.now(), sentCacheControl: call.headers["cache-control"] as string | undefined });
      await runMessages(req, res, { projectId: caller.projectId, body: Buffer.from(JSON.stringify(call.body)), headers: call.headers, recordHints: call.recordHints });
    } catch (err) {
      if (!res.headersSent) sendError(res, err, { route: "playground" }, req);
      else if (!res.writableEnded) res.end();
    }
  };
}
