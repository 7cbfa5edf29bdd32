/**
 * Bundles pitwall/sdk into one dependency-free ES module (dist/sdk/index.mjs) for agents that run
 * plain JavaScript: Node 20+, Deno, Bun, workers. Type-only imports vanish; nothing of the server
 * is reachable from lib/sdk, and the build fails if something is.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export async function buildSdk(outfile = path.join(root, "dist/sdk/index.mjs")): Promise<string> {
  const result = await build({
    entryPoints: [path.join(root, "lib/sdk/index.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    // Anything imported at run time must be SDK code or lru-cache (bundled in): a node: builtin fails the build.
    external: [],
    // lru-cache's runtime-neutral build: its default ESM entry probes node:diagnostics_channel.
    conditions: ["browser"],
    metafile: true,
    logLevel: "silent",
  });
  // The files bundled, next to the output: the package test checks no server code is among them.
  writeFileSync(`${outfile}.inputs.json`, JSON.stringify(Object.keys(result.metafile.inputs).sort(), null, 2));
  return outfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  buildSdk().then((out) => console.log(`wrote ${path.relative(root, out)}`));
}
