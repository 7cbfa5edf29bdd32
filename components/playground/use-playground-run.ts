"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { fetchJson, messageOf } from "@/components/auth/fetch-json";
import { createFrameStore } from "./frame-store";
import type { ExperimentConfig } from "@/lib/playground/config-schema";
import type { Experiment, Run } from "@/lib/playground/experiments";
import { abort, errorMessageOf, fail, finish, newPaneLive, onHead, pushChunk, type PaneLive } from "@/lib/playground/pane-stream";
import { parseRepeatFrame } from "@/lib/playground/repeat-progress";
import type { RunSummary } from "@/lib/playground/run-summary";

export type RunState = {
  running: boolean;
  /** Calls finished / planned (Run x N progress). */
  done: number;
  total: number;
  n: number;
  run: Run | null;
  summary: RunSummary | null;
  error: string | null;
};

const IDLE: RunState = { running: false, done: 0, total: 0, n: 1, run: null, summary: null, error: null };

/**
 * Runs the playground: starts a run (saving the experiment), streams every pane's call through
 * /api/v1/playground/stream (a race) or has the server run Run x N and stream its progress
 * (/api/v1/playground/repeat), and closes the run so its recorded calls, summary and verdict
 * come back. Live pane state is mutable in a ref
 * and painted at most once per animation frame, however fast the tokens come.
 */
export function usePlaygroundRun(projectSlug: string, onExperiment: (e: Experiment) => void, onRun: (r: Run) => void) {
  const live = useRef<Record<string, PaneLive>>({});
  const controllers = useRef<Set<AbortController>>(new Set());
  const stopped = useRef(false);
  const total = useRef(0);
  // The frame clock the live panes subscribe to: painting redraws them alone, once per frame.
  const [frames] = useState(createFrameStore);
  const [state, setState] = useState<RunState>(IDLE);
  const paint = frames.request;

  // A closed tab aborts its fetches by itself; an unmounted page does it here.
  useEffect(() => () => controllers.current.forEach((c) => c.abort()), []);

  const streamPane = useCallback(
    async (experimentId: string, runId: string, pane: string): Promise<PaneLive> => {
      const p = newPaneLive(performance.now());
      live.current[pane] = p;
      paint();
      const controller = new AbortController();
      controllers.current.add(controller);
      try {
        const res = await fetch(`/api/v1/playground/stream?project=${encodeURIComponent(projectSlug)}`, {
          method: "POST",
          credentials: "same-origin",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ experimentId, runId, pane }),
          signal: controller.signal,
        });
        if (!res.ok || !res.body) {
          p.eventId = res.headers.get("x-pitwall-request-id");
          p.servedModel = res.headers.get("x-pitwall-model");
          fail(p, errorMessageOf(res.status, await res.text()), performance.now());
          return p;
        }
        onHead(p, res.headers, performance.now());
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          pushChunk(p, decoder.decode(value, { stream: true }), performance.now());
          paint();
        }
        finish(p, performance.now());
      } catch (err) {
        if (controller.signal.aborted) abort(p, performance.now());
        else fail(p, `The stream failed: ${(err as Error).message}`, performance.now());
      } finally {
        controllers.current.delete(controller);
        paint();
      }
      return p;
    },
    [projectSlug, paint],
  );

  /**
   * Run x N in one request (POST /api/v1/playground/repeat): the server saves the run while its
   * calls start, streams each call's figures as it ends (each pane shows its latest call), and
   * ends with the run closed on its recorded calls. `run` marks when the run was saved, `done`
   * when it was closed; both are null when the stream ended first (Cancel, an error).
   */
  const repeatRun = useCallback(
    async (start: Record<string, unknown>, onStarted: (s: { experiment: Experiment; run: Run }) => void, onProgress: (done: number) => void): Promise<{ recorded: number; closed: { run: Run; summary: RunSummary } | null }> => {
      const controller = new AbortController();
      controllers.current.add(controller);
      let done = 0;
      let recorded = 0;
      let closed: { run: Run; summary: RunSummary } | null = null;
      try {
        const res = await fetch(`/api/v1/playground/repeat?project=${encodeURIComponent(projectSlug)}`, {
          method: "POST",
          credentials: "same-origin",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ start }),
          signal: controller.signal,
        });
        if (!res.ok || !res.body) {
          // Refused before any call (bad input, a viewer, another project's experiment): the server's message, as for a race.
          const text = await res.text();
          let body: unknown = null;
          try {
            body = JSON.parse(text);
          } catch {
            body = null;
          }
          setState((s) => ({ ...s, error: messageOf(body, res.status) }));
          return { recorded, closed };
        }
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { done: ended, value } = await reader.read();
          if (ended) break;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf("\n\n")) !== -1) {
            const event = parseRepeatFrame(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (event?.kind === "run") {
              // Marks for bench:playground's split of the run (saved / calls done / closed).
              performance.mark("playground:run-saved");
              onStarted(event.data);
            } else if (event?.kind === "call") {
              live.current[event.data.pane] = event.data.call;
              done++;
              if (event.data.call.eventId) recorded++;
              if (done === total.current) performance.mark("playground:calls-done");
            } else if (event?.kind === "done") {
              performance.mark("playground:run-closed");
              closed = { run: event.data.run, summary: event.data.summary };
            }
          }
          onProgress(done);
          paint();
        }
      } catch (err) {
        if (!controller.signal.aborted) setState((s) => ({ ...s, error: `Run x N failed: ${(err as Error).message}` }));
      } finally {
        controllers.current.delete(controller);
      }
      return { recorded, closed };
    },
    [projectSlug, paint],
  );

  /** Closes a run the page ran itself (a race) or whose Run x N stream ended early. */
  const closeRun = useCallback(
    async (experimentId: string, runId: string, recorded: number) => {
      try {
        const closed = await fetchJson<{ run: Run; summary: RunSummary }>(`/api/v1/playground/runs/complete?project=${encodeURIComponent(projectSlug)}`, {
          method: "POST",
          json: { experimentId, runId, expected: recorded },
        });
        setState((s) => ({ ...s, running: false, run: closed.run, summary: closed.summary }));
        onRun(closed.run);
      } catch (err) {
        setState((s) => ({ ...s, running: false, error: (err as Error).message }));
      }
    },
    [projectSlug, onRun],
  );

  const start = useCallback(
    async (opts: { experimentId: string | null; config: ExperimentConfig; n: number; concurrency: number; name?: string }) => {
      stopped.current = false;
      const panes = opts.config.panes.map((p) => p.name);
      const total_ = panes.length * opts.n;
      total.current = total_;
      setState({ ...IDLE, running: true, total: total_, n: opts.n });
      live.current = {};
      const body = { experimentId: opts.experimentId, name: opts.name, config: opts.config, n: opts.n, concurrency: opts.concurrency };
      if (opts.n > 1) {
        // Run x N: one request saves the run, runs its calls and closes it.
        const saved: { run: Run | null } = { run: null };
        const onStarted = (s: { experiment: Experiment; run: Run }) => {
          saved.run = s.run;
          onExperiment(s.experiment);
        };
        const { recorded, closed } = await repeatRun(body, onStarted, (done) => setState((s) => ({ ...s, done })));
        if (closed) {
          setState((s) => ({ ...s, running: false, run: closed.run, summary: closed.summary }));
          onRun(closed.run);
        } else if (saved.run) await closeRun(saved.run.experimentId, saved.run.id, recorded);
        else setState((s) => ({ ...s, running: false }));
        return;
      }
      let started: { experiment: Experiment; run: Run };
      try {
        started = await fetchJson<{ experiment: Experiment; run: Run }>(`/api/v1/playground/runs?project=${encodeURIComponent(projectSlug)}`, { method: "POST", json: body });
      } catch (err) {
        setState({ ...IDLE, error: (err as Error).message });
        return;
      }
      onExperiment(started.experiment);
      const { experiment, run } = started;
      // A race: one stream per pane, all at once, painted as the tokens come.
      const results = await Promise.all(panes.map((pane) => streamPane(experiment.id, run.id, pane)));
      setState((s) => ({ ...s, done: results.length }));
      await closeRun(experiment.id, run.id, results.filter((p) => p.eventId).length);
    },
    [projectSlug, streamPane, repeatRun, closeRun, onExperiment, onRun],
  );

  /** Stop / Cancel: no new calls, and every stream in flight is closed (its upstream call ends). */
  const stop = useCallback(() => {
    stopped.current = true;
    controllers.current.forEach((c) => c.abort());
  }, []);

  const show = useCallback((run: Run | null, summary: RunSummary | null) => {
    live.current = {};
    setState({ ...IDLE, run, summary, n: run?.n ?? 1 });
  }, []);

  return { live, frames, state, start, stop, show };
}
