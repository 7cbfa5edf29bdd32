/**
 * `npm start`: build when the build is missing or older than the sources, then serve. On embedded
 * PGlite (no DATABASE_URL) the quickstart defaults to a demo project.
 */
import { spawnSync, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const root = process.cwd();
const distDir = process.env.PITWALL_NEXT_DIST_DIR ?? ".next";
const buildId = path.join(root, distDir, "BUILD_ID");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const sources = ["app", "components", "lib", "db"].filter((d) => existsSync(path.join(root, d)));
const needsBuild = !existsSync(buildId) || sources.some((d) => newestSource(path.join(root, d)) > statSync(buildId).mtimeMs);
if (needsBuild) {
  console.log("Building Pitwall (first start or sources changed)…");
  const result = spawnSync("npx", ["next", "build"], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production" };
if (!env.DATABASE_URL) {
  env.PITWALL_INIT_PROJECT ??= "demo";
  env.PITWALL_DEMO_TRAFFIC ??= "1";
}
// node itself (not an npx wrapper), so Ctrl-C and SIGTERM reach the server directly. Every signal is
// passed on: the server treats a repeat within a second (the process group got it too) as the same
// request, and a later one as "skip the grace period" (see lib/lifecycle/graceful-shutdown.ts).
const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], { stdio: "inherit", env });
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 0)));
