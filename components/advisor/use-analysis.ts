"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { requestWithProgress } from "./stream-json";

export type AnalysisState<T> =
  | { status: "idle" }
  | { status: "running"; stage: string; fraction: number }
  | { status: "done"; result: T }
  | { status: "cancelled" }
  | { status: "error"; error: unknown };

/**
 * A long request with progress and a Cancel that aborts it (the server then stops): `run(url)`
 * GETs, `run(url, body)` POSTs. A newer run supersedes an older one, whose late answer or abort
 * is then ignored; leaving the page aborts what is running.
 */
export function useAnalysis<T>() {
  const [state, setState] = useState<AnalysisState<T>>({ status: "idle" });
  const ctl = useRef<AbortController | null>(null);
  const run = useCallback(async (url: string, body?: unknown) => {
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    const current = () => ctl.current === c;
    setState({ status: "running", stage: "starting", fraction: 0 });
    try {
      const result = await requestWithProgress<T>(url, { body, signal: c.signal, onProgress: (stage, fraction) => current() && setState({ status: "running", stage, fraction }) });
      if (current() && !c.signal.aborted) setState({ status: "done", result });
    } catch (error) {
      if (current()) setState(c.signal.aborted ? { status: "cancelled" } : { status: "error", error });
    }
  }, []);
  const cancel = useCallback(() => ctl.current?.abort(), []);
  /** Back to idle, dropping a result or aborting a run (e.g. when the window it was for changed). */
  const reset = useCallback(() => {
    ctl.current?.abort();
    ctl.current = null;
    setState({ status: "idle" });
  }, []);
  useEffect(
    () => () => {
      ctl.current?.abort();
      ctl.current = null;
    },
    [],
  );
  return { state, run, cancel, reset };
}
