import type { Experiment, Run } from "./experiments";
import type { PaneLive } from "./pane-stream";
import type { RunSummary } from "./run-summary";

/**
 * Run x N's progress stream (POST /api/v1/playground/repeat), shared by the server that writes it
 * and the page that reads it. Pure: safe in the browser.
 */

/** One finished call of the run, as a pane would have seen it streaming (times in ms from its start). */
export type RepeatCallEvent = { index: number; pane: string; call: PaneLive };
/** The run a started Run x N saved (before or among its first calls). */
export type RepeatRunEvent = { experiment: Experiment; run: Run };
/** The end: the run closed with its recorded calls, summary and verdict. */
export type RepeatDoneEvent = { done: number; total: number; recorded: number; run: Run; summary: RunSummary };
export type RepeatFrame = { kind: "run"; data: RepeatRunEvent } | { kind: "call"; data: RepeatCallEvent } | { kind: "done"; data: RepeatDoneEvent };

export function repeatFrame(f: RepeatFrame): string {
  return `event: ${f.kind}\ndata: ${JSON.stringify(f.data)}\n\n`;
}

/** One frame (without its blank line) of the progress stream; null for anything else. */
export function parseRepeatFrame(frame: string): RepeatFrame | null {
  let event = "";
  let data = "";
  for (const line of frame.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data += line.slice(5).trim();
  }
  if (event !== "run" && event !== "call" && event !== "done") return null;
  try {
    return { kind: event, data: JSON.parse(data) } as RepeatFrame;
  } catch {
    return null;
  }
}

/** Interleaved (A1 B1 A2 B2 …) so the panes share the same conditions over the run. */
export function repeatJobs(panes: string[], n: number): string[] {
  const jobs: string[] = [];
  for (let i = 0; i < n; i++) jobs.push(...panes);
  return jobs;
}
