"use client";

import { useCallback, useRef, useState } from "react";
import { postWithProgress } from "./stream-json";

export type AnalysisState<T> =
  | { status: "idle" }
  | { status: "running"; stage: string; fraction: number }
  | { status: "done"; result: T }
  | { status: "cancelled" }
  | { status: "error"; error: unknown };

/** A long POST with progress and a Cancel that aborts the request (the server then stops). */
export function useAnalysis<T>() {
  const [state, setState] = useState<AnalysisState<T>>({ status: "idle" });
  const ctl = useRef<AbortController | null>(null);
  const run = useCallback(async (url: string, body: unknown) => {
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    setState({ status: "running", stage: "starting", fraction: 0 });
    try {
      const result = await postWithProgress<T>(url, body, { signal: c.signal, onProgress: (stage, fraction) => setState({ status: "running", stage, fraction }) });
      if (!c.signal.aborted) setState({ status: "done", result });
    } catch (error) {
      setState(c.signal.aborted ? { status: "cancelled" } : { status: "error", error });
    }
  }, []);
  const cancel = useCallback(() => ctl.current?.abort(), []);
  return { state, run, cancel };
}
