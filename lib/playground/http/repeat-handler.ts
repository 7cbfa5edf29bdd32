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
import { assertExperiment, completeRun, createRun, getRun, newExperimentId, newRunId, type Experiment, type Run } from "../experiments";
import { abort, errorMessageOf, fail, finish, newPaneLive, onHead, pushChunk, type PaneLive } from "../pane-stream";
import { repeatFrame, repeatJobs } from "../repeat-progress";
import { parseRunStart, RUN_BODY_MAX_BYTES } from "../run-start";
import { CallSink } from "./call-sink";
import { tapPaneResponse } from "./pane-response-tap";
import { playgroundOperator } from "./playground-caller";

export const PLAYGROUND_REPEAT_PATH = "/api/v1/playground/repeat";

// An existing run ({experimentId, runId}), or a run to start here ({start: {experimentId?, name?,
// config, n, concurrency}}): its calls then begin while its row is being saved.
const RepeatBody = z.union([
  z.object({ experimentId: z.string().min(1).max(64), runId: z.string().min(1).max(64) }),
  z.object({ start: z.unknown() }),
]);

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
 * POST /api/v1/playground/repeat?project=<slug>: runs a Run x N run's N x panes calls here,
 * `concurrency` at a time, through the same gateway seam as a pane's stream, and streams progress
 * as SSE: `run` {experiment, run} once the run is saved, `call` {index, pane, call} as each call
 * ends, then `done` with the closed run (the recorded calls, summary and verdict).
 * The body names an existing run ({experimentId, runId}) or starts one ({start: the POST /runs
 * body}); a started run's calls begin while its row is saved (their tags carry the run id, chosen
 * here), and its head waits for the save, so a failed save is an error answer, not a stream.
 * One request for the whole run: one session check, and the browser's per-host connection limit
 * (6 on HTTP/1.1) does not cap the concurrency. After the last call the recorder is flushed and
 * the run closed here, so no second request waits on the recorder's timer. Closing the request
 * (Cancel, a closed tab) starts no more calls and ends those in flight (recorded as aborted);
 * the page then closes the run itself (POST /runs/complete).
 */
export function createPlaygroundRepeatHandler(getDb: () => Db, runMessages: RunMessages, flushRecording: () => Promise<void> = async () => {}): HotHandler {
  return async (req, res) => {
    const inFlight = new Set<CallSink>();
    let cancelled = false;
    const cancel = () => {
      cancelled = true;
      for (const sink of inFlight) sink.destroy();
    };
    try {
      const db = getDb();
      const caller = await playgroundOperator(db, req);
      const parsed = RepeatBody.safeParse(parseJsonBody(req, await readBody(req, RUN_BODY_MAX_BYTES)));
      if (!parsed.success) throw new AppError("bad_request:body", "Send {experimentId, runId} or {start: {experimentId?, name?, config, n, concurrency}}.");
      let run: Pick<Run, "id" | "experimentId" | "config" | "n" | "concurrency">;
      let saved: Promise<{ experiment: Experiment | null; run: Run }>;
      if ("start" in parsed.data) {
        const start = parseRunStart(parsed.data.start);
        // A rerun's experiment is checked before any call: another project's id starts nothing.
        if (start.experimentId !== null) await assertExperiment(db, caller.projectId, start.experimentId);
        run = { id: newRunId(), experimentId: start.experimentId ?? newExperimentId(), config: start.request.config, n: start.request.n, concurrency: start.request.concurrency };
        saved = createRun(db, { projectId: caller.projectId, ...start, createdBy: caller.email, runId: run.id, newExperimentId: run.experimentId });
      } else {
        const existing = await getRun(db, caller.projectId, parsed.data.experimentId, parsed.data.runId);
        run = existing;
        saved = Promise.resolve({ experiment: null, run: existing });
      }
      if (run.n < 2) throw new AppError("bad_request:n", "This run is a single race: stream each pane instead.");
      const calls = new Map(run.config.panes.map((p) => [p.name, buildPaneCall(run.config, p, { experimentId: run.experimentId, runId: run.id }, { repeat: true })]));
      const jobs = repeatJobs(run.config.panes.map((p) => p.name), run.n);

      res.once("close", () => {
        if (!res.writableFinished) cancel();
      });
      const frames: string[] = [];
      let headSent = false;
      const send = (frame: string) => {
        if (cancelled) return;
        if (headSent) res.write(frame);
        else frames.push(frame);
      };
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
          send(repeatFrame({ kind: "call", data: { index, pane, call: live } }));
        }
      };
      const working = Promise.all(Array.from({ length: Math.min(run.concurrency, jobs.length) }, worker));
      let started: { experiment: Experiment | null; run: Run };
      try {
        started = await saved;
      } catch (err) {
        cancel();
        await working;
        throw err;
      }
      if (cancelled) {
        // Closed before the run was saved: the page never learnt of it, so it is closed here.
        await working;
        await completeRun(db, { projectId: caller.projectId, experimentId: run.experimentId, runId: run.id, expected: recorded });
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" });
      res.flushHeaders();
      res.socket?.setNoDelay(true);
      headSent = true;
      if (started.experiment) res.write(repeatFrame({ kind: "run", data: { experiment: started.experiment, run: started.run } }));
      for (const f of frames.splice(0)) res.write(f);
      await working;
      if (cancelled || res.destroyed || res.writableEnded) return;
      // The gateway hands each call's event to the recorder a turn after the call ends.
      await new Promise((r) => setImmediate(r));
      await flushRecording();
      const closed = await completeRun(db, { projectId: caller.projectId, experimentId: run.experimentId, runId: run.id, expected: recorded });
      if (!res.destroyed && !res.writableEnded) res.end(repeatFrame({ kind: "done", data: { done, total: jobs.length, recorded, ...closed } }));
    } catch (err) {
      cancel();
      if (!res.headersSent) sendError(res, err, { route: "playground" }, req);
      else if (!res.writableEnded) res.end();
    }
  };
}
