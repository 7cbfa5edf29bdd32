"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { fetchJson } from "@/components/auth/fetch-json";
import type { ExperimentConfig } from "@/lib/playground/config-schema";
import type { Experiment, Run } from "@/lib/playground/experiments";
import { abort, errorMessageOf, fail, finish, newPaneLive, onHead, pushChunk, type PaneLive } from "@/lib/playground/pane-stream";
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
 * /api/v1/playground/stream (N times each with a concurrency limit for Run x N), and closes the
 * run so its recorded calls, summary and verdict come back. Live pane state is mutable in a ref
 * and painted at most once per animation frame, however fast the tokens come.
 */
export function usePlaygroundRun(projectSlug: string, onExperiment: (e: Experiment) => void, onRun: (r: Run) => void) {
  const live = useRef<Record<string, PaneLive>>({});
  const controllers = useRef<Set<AbortController>>(new Set());
  const stopped = useRef(false);
  // performance.now() of the last paint: the "now" live figures (elapsed, tokens/s) are drawn at.
  const [frameAt, setFrameAt] = useState(0);
  const [state, setState] = useState<RunState>(IDLE);
  const pending = useRef(false);

  const paint = useCallback(() => {
    if (pending.current) return;
    pending.current = true;
    requestAnimationFrame(() => {
      pending.current = false;
      setFrameAt(performance.now());
    });
  }, []);

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
      // Interleaved (A1 B1 A2 B2 …) so the panes share the same conditions over the run.
      const jobs: string[] = [];
      for (let i = 0; i < opts.n; i++) jobs.push(...panes);
      let next = 0;
      let done = 0;
      let recorded = 0;
      const width = opts.n === 1 ? panes.length : Math.min(opts.concurrency, jobs.length);
      const worker = async () => {
        while (next < jobs.length && !stopped.current) {
          const pane = jobs[next++]!;
          const p = await streamPane(experiment.id, run.id, pane);
          if (p.eventId) recorded++;
          done++;
          setState((s) => ({ ...s, done }));
        }
      };
      await Promise.all(Array.from({ length: width }, worker));
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
    [projectSlug, streamPane, onExperiment, onRun],
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

  return { live: live.current, frameAt, state, start, stop, show };
}
