import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

/**
 * The worker runs TypeScript through tsx, as the process does: workers do not inherit the main
 * thread's loader hooks, so it registers them first. The ESM entry of tsx's API sits next to
 * the CommonJS one that require.resolve finds.
 */
export function workerSource(entry: URL): string {
  let api = "tsx/esm/api";
  try {
    api = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
  } catch {
    // left to the worker's own resolution
  }
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
}
