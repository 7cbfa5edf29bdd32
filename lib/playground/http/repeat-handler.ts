import type { IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { z } from "zod";
import type { Db } from "@/db/client";
import type { RunMessages } from "../../gateway/gateway";
import { AppError } from "../../errors";
import type { HotHandler } from "../../http/hot-router";
import { parseJsonBody, readBody } from "../../http/read-body";
import { sendError } from "../../http/respond";
import { buildPaneCall, type PaneCall } from "../build-request";
import { getRun } from "../experiments";
import { abort, errorMessageOf, fail, finish, newPaneLive, onHead, pushChunk, type PaneLive } from "../pane-stream";
import { repeatFrame, repeatJobs } from "../repeat-progress";
import { CallSink } from "./call-sink";
import { tapPaneResponse } from "./pane-response-tap";
import { playgroundOperator } from "./playground-caller";

export const PLAYGROUND_REPEAT_PATH = "/api/v1/playground/repeat";

const RepeatBody = z.object({ experimentId: z.string().min(1).max(64), runId: z.string().min(1).max(64) });


/**
 * One call through the gateway seam into a CallSink, read as the browser reads a pane's stream
 * (pane-stream.ts), so the figures are the same ones a streamed pane shows.
 */
async function runCall(req: IncomingMessage, runMessages: RunMessages, projectId: string, call: PaneCall, inFlight: Set<CallSink>): Promise<PaneLive> {
  const t0 = performance.now();
  const at = () => performance.now() - t0;
  const live = newPaneLive(0);
  const decoder = new TextDecoder();
  let status = 0;
  let errorBody = "";
  const sink = new CallSink(req, {
    onHead: (s, headers) => {
      status = s;
      const get = { get: (name: string) => (headers[name] === undefined ? null : String(headers[name])) };
      if (s === 200 && String(headers["content-type"] ?? "").startsWith("text/event-stream")) onHead(live, get, at());
      else {
        live.eventId = get.get("x-pitwall-request-id");
        live.servedModel = get.get("x-pitwall-model");
      }
    },
    // Parsed a microtask later, after the gateway's own observer has read its clock for this
    // chunk: the parse's allocations (and a GC they may start) stay out of the few microseconds
    // between the tap's clock read and the recorder's.
    onChunk: (chunk) =>
      queueMicrotask(() => {
        if (live.headAt !== null) pushChunk(live, decoder.decode(chunk, { stream: true }), at());
        else if (errorBody.length < 4096) errorBody += chunk.toString("utf8");
      }),
  });
  tapPaneResponse(sink, { t0, now: () => performance.now(), sentCacheControl: call.headers["cache-control"] as string | undefined });
  inFlight.add(sink);
  try {
    await runMessages(req, sink, { projectId, body: Buffer.from(JSON.stringify(call.body)), headers: call.headers, recordHints: call.recordHints });
    if (sink.destroyed && !sink.writableFinished) abort(live, at());
    else if (live.headAt === null) fail(live, errorMessageOf(status, errorBody), at());
    else finish(live, at());
  } catch (err) {
    fail(live, `The call failed: ${(err as Error).message}`, at());
  } finally {
    inFlight.delete(sink);
  }
  live.buffer = "";
  return live;
}

/**
 * POST /api/v1/playground/repeat?project=<slug> {experimentId, runId}: runs a Run x N run's
 * N x panes calls here, `concurrency` at a time, through the same gateway seam as a pane's
 * stream, and streams progress as SSE: `call` {index, pane, call} as each call ends, then `done`.
 * One request for the whole run: one session check and one run lookup, and the browser's
 * per-host connection limit (6 on HTTP/1.1) does not cap the concurrency. Closing the request
 * (Cancel, a closed tab) starts no more calls and ends those in flight (recorded as aborted).
 */
export function createPlaygroundRepeatHandler(getDb: () => Db, runMessages: RunMessages): HotHandler {
  return async (req, res) => {
    try {
      const db = getDb();
      const caller = await playgroundOperator(db, req);
      const parsed = RepeatBody.safeParse(parseJsonBody(req, await readBody(req, 16 * 1024)));
      if (!parsed.success) throw new AppError("bad_request:body", "Send {experimentId, runId}.");
      const run = await getRun(db, caller.projectId, parsed.data.experimentId, parsed.data.runId);
      if (run.n < 2) throw new AppError("bad_request:n", "This run is a single race: stream each pane instead.");
      const calls = new Map(run.config.panes.map((p) => [p.name, buildPaneCall(run.config, p, { experimentId: run.experimentId, runId: run.id }, { repeat: true })]));
      const jobs = repeatJobs(run.config.panes.map((p) => p.name), run.n);

      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" });
      res.flushHeaders();
      res.socket?.setNoDelay(true);
      const inFlight = new Set<CallSink>();
      let cancelled = false;
      res.once("close", () => {
        if (res.writableFinished) return;
        cancelled = true;
        for (const sink of inFlight) sink.destroy();
      });
      let next = 0;
      let done = 0;
      let recorded = 0;
      const worker = async () => {
        while (!cancelled && next < jobs.length) {
          const index = next++;
          const pane = jobs[index]!;
          const live = await runCall(req, runMessages, caller.projectId, calls.get(pane)!, inFlight);
          done++;
          if (live.eventId) recorded++;
          if (!cancelled) res.write(repeatFrame({ kind: "call", data: { index, pane, call: live } }));
        }
      };
      await Promise.all(Array.from({ length: Math.min(run.concurrency, jobs.length) }, worker));
      if (!res.destroyed && !res.writableEnded) res.end(repeatFrame({ kind: "done", data: { done, total: jobs.length, recorded } }));
    } catch (err) {
      if (!res.headersSent) sendError(res, err, { route: "playground" }, req);
      else if (!res.writableEnded) res.end();
    }
  };
}
