/**
 * The trace view's PREPARE step: pure, browser-safe and tested. It lays out a trace's LLM and tool
 * calls on one time axis, links children to parents, marks the critical path and finds runs of
 * tool calls under one parent that ran one after another (and could have run in parallel).
 */
import type { EventKind } from "../events/event-enums";

export type TraceSpanInput = {
  id: string;
  parentId: string | null;
  kind: EventKind;
  name: string;
  startMs: number; // epoch ms
  durationMs: number;
  status: string;
};

export type WaterfallRow = TraceSpanInput & {
  depth: number;
  offsetMs: number; // from the trace's start
  endMs: number; // offset + duration
  critical: boolean;
};

export type SequentialHint = {
  parentId: string | null;
  toolIds: string[];
  sequentialMs: number; // the run's wall time, first start to last end
  parallelMs: number; // the longest tool: what the run would take in parallel
  message: string;
};

export type Waterfall = { startMs: number; durationMs: number; rows: WaterfallRow[]; hints: SequentialHint[] };

/** Spans closer than this count as touching, not overlapping (timestamps are ms-rounded). */
const EPSILON_MS = 1;

export function buildWaterfall(spans: TraceSpanInput[]): Waterfall {
  if (spans.length === 0) return { startMs: 0, durationMs: 0, rows: [], hints: [] };
  const startMs = Math.min(...spans.map((s) => s.startMs));
  const ids = new Set(spans.map((s) => s.id));
  const children = new Map<string | null, TraceSpanInput[]>();
  for (const s of spans) {
    // A parent that is not in the trace (an agent span that was not recorded) makes a root.
    const parent = s.parentId !== null && ids.has(s.parentId) && s.parentId !== s.id ? s.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id));

  const endOf = (s: TraceSpanInput) => s.startMs + Math.max(0, s.durationMs);
  const critical = new Set<string>();
  // Walk back from the end: the child that ends last, then the one that ends last before it began…
  const markCritical = (parent: string | null, until: number, seen: Set<string | null>) => {
    if (seen.has(parent)) return;
    seen.add(parent);
    let cursor = until;
    const kids = [...(children.get(parent) ?? [])].sort((a, b) => endOf(b) - endOf(a));
    for (const k of kids) {
      if (endOf(k) > cursor + EPSILON_MS) continue;
      critical.add(k.id);
      markCritical(k.id, endOf(k), seen);
      cursor = k.startMs;
    }
  };
  const traceEnd = Math.max(...spans.map(endOf));
  markCritical(null, traceEnd, new Set());

  const rows: WaterfallRow[] = [];
  const visited = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    for (const s of children.get(parent) ?? []) {
      if (visited.has(s.id)) continue; // a cycle in bad data is cut, never looped
      visited.add(s.id);
      rows.push({ ...s, depth, offsetMs: s.startMs - startMs, endMs: endOf(s) - startMs, critical: critical.has(s.id) });
      walk(s.id, depth + 1);
    }
  };
  walk(null, 0);
  // Spans only reachable through a cycle still show, at the top level.
  for (const s of spans) if (!visited.has(s.id)) rows.push({ ...s, depth: 0, offsetMs: s.startMs - startMs, endMs: endOf(s) - startMs, critical: false });

  const hints: SequentialHint[] = [];
  for (const [parent, kids] of children) hints.push(...sequentialRuns(parent, kids, endOf));
  return { startMs, durationMs: traceEnd - startMs, rows, hints };
}

/**
 * Runs of two or more tool calls under one parent, each starting after the previous one ended,
 * with no LLM call between them (a call in between usually decides the next tool, so those are
 * not independent).
 */
function sequentialRuns(parent: string | null, siblings: TraceSpanInput[], endOf: (s: TraceSpanInput) => number): SequentialHint[] {
  const hints: SequentialHint[] = [];
  let run: TraceSpanInput[] = [];
  const close = () => {
    if (run.length >= 2) {
      const sequentialMs = endOf(run[run.length - 1]!) - run[0]!.startMs;
      const parallelMs = Math.max(...run.map((s) => s.durationMs));
      if (sequentialMs - parallelMs > EPSILON_MS) {
        hints.push({
          parentId: parent,
          toolIds: run.map((s) => s.id),
          sequentialMs,
          parallelMs,
          message: `sequential: ${seconds(sequentialMs)} of tools could run in ${seconds(parallelMs)} in parallel`,
        });
      }
    }
    run = [];
  };
  for (const s of siblings) {
    if (s.kind !== "tool") {
      close();
      continue;
    }
    const last = run[run.length - 1];
    if (last && s.startMs < endOf(last) - EPSILON_MS) {
      // Overlaps the previous tool: these already run in parallel.
      close();
    }
    run.push(s);
  }
  close();
  return hints;
}

/** "1.0 s", "0.2 s", "12 s". */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return s >= 10 ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}
