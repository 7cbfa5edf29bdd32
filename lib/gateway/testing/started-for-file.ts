import { afterAll, beforeAll } from "vitest";

/**
 * Starts what `start` makes before this file's tests and closes it after them. The returned
 * object is filled in by the beforeAll hook: read its fields inside tests, not at file level.
 */
export function startedForFile<T extends { close: () => Promise<void> }>(start: () => Promise<T>): Readonly<Omit<T, "close">> {
  const world = {} as T;
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
    Object.assign(world, started);
  });
  afterAll(async () => {
    await started?.close();
  });
  return world;
}
