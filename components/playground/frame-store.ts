/**
 * The animation-frame clock the live panes draw at. Stream chunks only mutate the panes' state
 * and ask for a frame; once per frame the clock moves and only its subscribers (the pane cards,
 * via useSyncExternalStore) render: not the page around them, nor the panes' editors.
 */
export type FrameStore = {
  subscribe: (listener: () => void) => () => void;
  /** performance.now() of the last frame drawn (0 before the first). */
  get: () => number;
  /** Asks for a frame; many asks before it comes are one frame. */
  request: () => void;
};

export function createFrameStore(): FrameStore {
  const listeners = new Set<() => void>();
  let at = 0;
  let pending = false;
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get: () => at,
    request() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        at = performance.now();
        for (const l of listeners) l();
      });
    },
  };
}
