/**
 * An abort signal for one streamed call that fires when no event has arrived for `stallMs`, or
 * when the call has run `capMs` in all, or when `parent` aborts. The SDK's own `timeout` stops
 * counting once the response headers arrive, so a stream that stalls after them would otherwise
 * hang for as long as the upstream keeps the socket open.
 */
export type StallGuard = {
  signal: AbortSignal;
  /** An event arrived: the stall clock starts again. */
  touch: () => void;
  /** Why the guard aborted, or null while it has not (a parent abort is not the guard's). */
  reason: () => "stall" | "cap" | null;
  /** Clears the timers; call when the stream ends, however it ends. */
  dispose: () => void;
};

export function createStallGuard(opts: { parent: AbortSignal; stallMs: number; capMs: number }): StallGuard {
  const controller = new AbortController();
  let why: "stall" | "cap" | null = null;
  const fire = (r: "stall" | "cap") => {
    if (controller.signal.aborted) return;
    why = r;
    controller.abort(new Error(r === "stall" ? `stream stalled: no event for ${opts.stallMs} ms` : `stream ran past ${opts.capMs} ms`));
  };
  let stall = setTimeout(() => fire("stall"), opts.stallMs);
  const cap = setTimeout(() => fire("cap"), opts.capMs);
  const onParent = () => controller.abort(opts.parent.reason);
  if (opts.parent.aborted) onParent();
  else opts.parent.addEventListener("abort", onParent, { once: true });
  return {
    signal: controller.signal,
    touch: () => {
      if (controller.signal.aborted) return;
      clearTimeout(stall);
      stall = setTimeout(() => fire("stall"), opts.stallMs);
    },
    reason: () => why,
    dispose: () => {
      clearTimeout(stall);
      clearTimeout(cap);
      opts.parent.removeEventListener("abort", onParent);
    },
  };
}
