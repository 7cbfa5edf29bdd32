"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { fetchJson } from "@/components/auth/fetch-json";
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
   * Run x N: the server runs the N x panes calls (POST /api/v1/playground/repeat) and streams each
   * call's figures as it ends; each pane shows its latest call. Returns how many were recorded.
   */
  const repeatRun = useCallback(
    async (experimentId: string, runId: string, onProgress: (done: number) => void): Promise<number> => {
      const controller = new AbortController();
      controllers.current.add(controller);
      let done = 0;
      let recorded = 0;
      try {
        const res = await fetch(`/api/v1/playground/repeat?project=${encodeURIComponent(projectSlug)}`, {
          method: "POST",
          credentials: "same-origin",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ experimentId, runId }),
          signal: controller.signal,
        });
        if (!res.ok || !res.body) throw new Error(errorMessageOf(res.status, await res.text()));
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
            if (event?.kind !== "call") continue;
            live.current[event.data.pane] = event.data.call;
            done++;
            if (event.data.call.eventId) recorded++;
          }
          onProgress(done);
          paint();
        }
      } catch (err) {
        if (!controller.signal.aborted) setState((s) => ({ ...s, error: `Run x N failed: ${(err as Error).message}` }));
      } finally {
        controllers.current.delete(controller);
      }
      return recorded;
    },
    [projectSlug, paint],
  );

  const start = useCallback(
    async (opts: { experimentId: string | null; config: ExperimentConfig; n: number; concurrency: number; name?: string }) => {
      stopped.current = false;
      const panes = opts.config.panes.map((p) => p.name);
      const total = panes.length * opts.n;
      setState({ ...IDLE, running: true, total, n: opts.n });
      live.current = {};
      let started: { experiment: Experiment; run: Run };
      try {
        started = await fetchJson<{ experiment: Experiment; run: Run }>(`/api/v1/playground/runs?project=${encodeURIComponent(projectSlug)}`, {
          method: "POST",
          json: { experimentId: opts.experimentId, name: opts.name, config: opts.config, n: opts.n, concurrency: opts.concurrency },
        });
      } catch (err) {
        setState({ ...IDLE, error: (err as Error).message });
        return;
      }
      onExperiment(started.experiment);
      const { experiment, run } = started;
      let recorded = 0;
      if (opts.n === 1) {
        // A race: one stream per pane, all at once, painted as the tokens come.
        const results = await Promise.all(panes.map((pane) => streamPane(experiment.id, run.id, pane)));
        recorded = results.filter((p) => p.eventId).length;
        setState((s) => ({ ...s, done: results.length }));
      } else {
        recorded = await repeatRun(experiment.id, run.id, (done) => setState((s) => ({ ...s, done })));
      }
      try {
        const closed = await fetchJson<{ run: Run; summary: RunSummary }>(`/api/v1/playground/runs/complete?project=${encodeURIComponent(projectSlug)}`, {
          method: "POST",
          json: { experimentId: experiment.id, runId: run.id, expected: recorded },
        });
        setState((s) => ({ ...s, running: false, run: closed.run, summary: closed.summary }));
        onRun(closed.run);
      } catch (err) {
        setState((s) => ({ ...s, running: false, error: (err as Error).message }));
      }
    },
    [projectSlug, streamPane, repeatRun, onExperiment, onRun],
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
